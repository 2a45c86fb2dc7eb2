package dev.irsa.testkit;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar irsa-testkit-<version>-standalone.jar [flags]}: starts an OIDC issuer and an STS emulator
 * on loopback, writes a pod-style projected token, prints exactly one JSON line on stdout describing the
 * environment, then serves (rotating the token at 80% of its lifetime, as the kubelet does) until killed.
 * Logs go to stderr.
 *
 * <p>With {@code --pod-identity} it also starts a {@link PodIdentityAgentEmulator} on the same issuer and STS, with
 * the service account associated with the same role, and writes a second projected token (audience
 * {@code pods.eks.amazonaws.com}, rotated alike). The JSON line keeps every IRSA field and adds
 * {@code agentEndpoint}, {@code podIdentityTokenFile} and {@code podIdentityEnv}: the variables EKS injects for a
 * Pod Identity association ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI}, {@code AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE},
 * region, and {@code AWS_ENDPOINT_URL_STS} for signed calls). {@code env} stays the IRSA pod's: a process given both
 * sets would use IRSA, as the AWS SDKs do.
 *
 * @since 0.1.0
 */
public final class StandaloneEmulator {
    private StandaloneEmulator() {}

    static final String USAGE = """
            Usage: java -jar irsa-testkit-standalone.jar [options]
              --issuer-port N          OIDC issuer port (default: ephemeral)
              --sts-port N             STS emulator port (default: ephemeral)
              --account ID             12-digit AWS account ID (default 111122223333)
              --region NAME            region STS signs for (default us-west-2)
              --role NAME              role name (default app-role)
              --namespace NS           service account namespace (default default)
              --service-account SA     service account name (default app)
              --token-dir DIR          projected token directory (default: a temporary directory)
              --token-lifetime SECS    projected token lifetime (default 86400)
              --credential-lifetime SECS  issue credentials with this lifetime (default: as requested)
              --pod-identity           also run an EKS Pod Identity agent emulator for the same service account
              --agent-port N           Pod Identity agent port (default: ephemeral; implies --pod-identity)
              --help                   this text
            Prints one JSON line: issuer, stsEndpoint, tokenFile, roleArn, region, accountId, serviceAccount, env
            (the IRSA pod's variables); with --pod-identity also agentEndpoint, podIdentityTokenFile and
            podIdentityEnv (the variables EKS injects for a Pod Identity association).
            """;

    /** The agent emulator and its token volume, when running with {@code --pod-identity}. */
    record PodIdentity(PodIdentityAgentEmulator agent, ProjectedTokenVolume volume, Duration tokenLifetime)
            implements AutoCloseable {
        static PodIdentity start(IrsaEnvironment env, int port, Duration tokenLifetime, Duration credentialLifetime) {
            PodIdentityAgentEmulator.Builder b = PodIdentityAgentEmulator.builder().issuer(env.issuer()).sts(env.sts())
                    .port(port);
            if (credentialLifetime != null) {
                b.credentialLifetime(credentialLifetime);
            }
            PodIdentityAgentEmulator agent = b.start();
            try {
                agent.associate(env.namespace(), env.serviceAccount(), env.roleArn());
                PodIdentity p = new PodIdentity(agent, ProjectedTokenVolume.inTempDirectory(), tokenLifetime);
                p.rotateToken(env);
                return p;
            } catch (RuntimeException e) {
                agent.close();
                throw e;
            }
        }

        void rotateToken(IrsaEnvironment env) {
            volume.write(env.issuer().token(env.namespace(), env.serviceAccount())
                    .audience(PodIdentityAgentEmulator.AUDIENCE).lifetime(tokenLifetime).sign());
        }

        Map<String, String> podEnvironment(IrsaEnvironment env) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.endpoint().toString());
            m.put("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", volume.tokenFile().toString());
            m.put("AWS_REGION", env.region());
            m.put("AWS_DEFAULT_REGION", env.region());
            m.put("AWS_STS_REGIONAL_ENDPOINTS", "regional");
            m.put("AWS_ENDPOINT_URL_STS", env.stsEndpoint().toString());
            return m;
        }

        @Override
        public void close() {
            try {
                agent.close();
            } finally {
                volume.close();
            }
        }
    }

    /**
     * Starts the emulators and serves until the JVM is stopped; exits with status 2 on invalid flags.
     *
     * @param args the command line flags (see the class description; {@code --help} prints them)
     * @throws InterruptedException if the main thread is interrupted while serving
     */
    public static void main(String[] args) throws InterruptedException {
        IrsaEnvironment.Builder b;
        try {
            b = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("irsa-testkit: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (b == null) {
            System.out.print(USAGE);
            return;
        }
        IrsaEnvironment env = b.start();
        int agentPort = agentPort(args);
        PodIdentity pod;
        try {
            pod = agentPort >= 0 ? PodIdentity.start(env, agentPort, tokenLifetime(args),
                    credentialLifetime(args)) : null;
        } catch (RuntimeException e) {
            env.close();
            throw e;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (pod != null) {
                    pod.close();
                }
            } finally {
                env.close();
                stop.countDown();
            }
        }, "irsa-testkit-shutdown"));
        ScheduledExecutorService rotation = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "irsa-testkit-token-rotation");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, (long) (tokenLifetime(args).toMillis() * 0.8));
        rotation.scheduleAtFixedRate(() -> {
            env.rotateToken();
            if (pod != null) {
                pod.rotateToken(env);
            }
        }, every, every, TimeUnit.MILLISECONDS);
        PrintStream out = System.out;
        out.println(describe(env, pod));
        out.flush();
        System.err.println("irsa-testkit: serving " + env + (pod != null ? " and the Pod Identity agent at "
                + pod.agent().endpoint() : "") + "; stop with Ctrl-C");
        stop.await();
    }

    /** The one-line JSON description of an environment. */
    static String describe(IrsaEnvironment env) {
        return describe(env, null);
    }

    /** The one-line JSON description, with the Pod Identity fields when {@code pod} is running. */
    static String describe(IrsaEnvironment env, PodIdentity pod) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("issuer", env.issuer().issuer().toString());
        m.put("stsEndpoint", env.stsEndpoint().toString());
        m.put("tokenFile", env.tokenFile().toString());
        m.put("roleArn", env.roleArn());
        m.put("region", env.region());
        m.put("accountId", env.accountId());
        m.put("serviceAccount", "system:serviceaccount:" + env.namespace() + ":" + env.serviceAccount());
        m.put("env", env.podEnvironment());
        if (pod != null) {
            m.put("agentEndpoint", pod.agent().endpoint().toString());
            m.put("podIdentityTokenFile", pod.volume().tokenFile().toString());
            m.put("podIdentityEnv", pod.podEnvironment(env));
        }
        return JSONObjectUtils.toJSONString(m);
    }

    private static Duration credentialLifetime(String[] args) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--credential-lifetime")) {
                return Duration.ofSeconds(Long.parseLong(args[i + 1]));
            }
        }
        return null;
    }

    private static Duration tokenLifetime(String[] args) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--token-lifetime")) {
                return Duration.ofSeconds(Long.parseLong(args[i + 1]));
            }
        }
        return Duration.ofHours(24);
    }

    /** The agent port with {@code --pod-identity} or {@code --agent-port} (0: ephemeral), else -1. */
    static int agentPort(String[] args) {
        int port = -1;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--pod-identity")) {
                port = Math.max(port, 0);
            } else if (args[i].equals("--agent-port") && i + 1 < args.length) {
                port = Integer.parseInt(args[i + 1]);
            }
        }
        return port;
    }

    /** Returns the configured builder, or null when help was asked for. */
    static IrsaEnvironment.Builder parse(String[] args) {
        IrsaEnvironment.Builder b = IrsaEnvironment.builder();
        int issuerPort = 0;
        int stsPort = 0;
        String ns = "default";
        String sa = "app";
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            if (flag.equals("--help") || flag.equals("-h")) {
                return null;
            }
            if (flag.equals("--pod-identity")) {
                continue; // read by agentPort
            }
            if (rest.isEmpty()) {
                throw new IllegalArgumentException("unknown option or missing value: " + flag);
            }
            String v = rest.remove(0);
            try {
                switch (flag) {
                    case "--issuer-port" -> issuerPort = Integer.parseInt(v);
                    case "--sts-port" -> stsPort = Integer.parseInt(v);
                    case "--account" -> b.accountId(v);
                    case "--region" -> b.region(v);
                    case "--role" -> b.roleName(v);
                    case "--namespace" -> ns = v;
                    case "--service-account" -> sa = v;
                    case "--token-dir" -> b.tokenDirectory(Path.of(v));
                    case "--token-lifetime" -> b.tokenLifetime(Duration.ofSeconds(Long.parseLong(v)));
                    case "--credential-lifetime" -> b.credentialLifetime(Duration.ofSeconds(Long.parseLong(v)));
                    case "--agent-port" -> Integer.parseInt(v); // read by agentPort; validated here
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " takes a number, not " + v);
            }
        }
        return b.ports(issuerPort, stsPort).serviceAccount(ns, sa);
    }
}
