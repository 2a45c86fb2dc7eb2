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
              --help                   this text
            Prints one JSON line: issuer, stsEndpoint, tokenFile, roleArn, region, accountId, serviceAccount.
            """;

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
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            env.close();
            stop.countDown();
        }, "irsa-testkit-shutdown"));
        ScheduledExecutorService rotation = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "irsa-testkit-token-rotation");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, (long) (tokenLifetime(args).toMillis() * 0.8));
        rotation.scheduleAtFixedRate(env::rotateToken, every, every, TimeUnit.MILLISECONDS);
        PrintStream out = System.out;
        out.println(describe(env));
        out.flush();
        System.err.println("irsa-testkit: serving " + env + "; stop with Ctrl-C");
        stop.await();
    }

    /** The one-line JSON description of an environment. */
    static String describe(IrsaEnvironment env) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("issuer", env.issuer().issuer().toString());
        m.put("stsEndpoint", env.stsEndpoint().toString());
        m.put("tokenFile", env.tokenFile().toString());
        m.put("roleArn", env.roleArn());
        m.put("region", env.region());
        m.put("accountId", env.accountId());
        m.put("serviceAccount", "system:serviceaccount:" + env.namespace() + ":" + env.serviceAccount());
        m.put("env", env.podEnvironment());
        return JSONObjectUtils.toJSONString(m);
    }

    private static Duration tokenLifetime(String[] args) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--token-lifetime")) {
                return Duration.ofSeconds(Long.parseLong(args[i + 1]));
            }
        }
        return Duration.ofHours(24);
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
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " takes a number, not " + v);
            }
        }
        return b.ports(issuerPort, stsPort).serviceAccount(ns, sa);
    }
}
