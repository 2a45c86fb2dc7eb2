package dev.irsa.cli;

import dev.irsa.core.RefreshListener;
import dev.irsa.core.RefreshPolicy;
import dev.irsa.core.SettingsSource;
import dev.irsa.core.WebIdentityToken;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.core.CredentialSource;
import dev.irsa.core.PodIdentityConfig;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.PodIdentityCall;
import dev.irsa.testkit.PodIdentityEnvironment;
import dev.irsa.testkit.StsCall;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * Walks the whole IRSA (or, with {@code --pod-identity}, EKS Pod Identity) flow on loopback, with no AWS account:
 * what a pod gets, and what happens to it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        header = "Runs IRSA (or EKS Pod Identity) end to end, locally.",
        // One element per paragraph: the help formatter wraps each at the usage width.
        description = {"Runs IRSA end to end on this machine (loopback only, no AWS account): a local OIDC issuer and"
                + " STS, a pod's projected token, AssumeRoleWithWebIdentity, a signed AWS call, token rotation and a"
                + " background refresh.",
                "With --pod-identity, the same story for EKS Pod Identity: an association, the pod's variables and"
                + " token, the node's agent (emulated), a signed AWS call, rotation and refresh.",
                "Prints what happens at each step; never prints a secret."})
final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    IrsaCli cli;

    @Option(names = "--credential-lifetime", defaultValue = "6", paramLabel = "SECONDS",
            description = "Lifetime of the emulated credentials, so the background refresh comes quickly (default ${DEFAULT-VALUE}).")
    long credentialSeconds;

    @Option(names = "--pod-identity", description = "Walk EKS Pod Identity instead of IRSA.")
    boolean podIdentity;

    /**
     * The demo's credentials last seconds and it shows them refreshed: sooner than the minimum refresh interval (a
     * guard against a node clock far ahead) allows, so it is off here, as for any test with such short sessions.
     */
    private static final RefreshPolicy DEMO_POLICY = RefreshPolicy.builder().minimumRefreshInterval(Duration.ZERO)
            .build();

    private Terminal t;
    private PrintWriter out;
    private int step;

    @Override
    public Integer call() throws Exception {
        t = cli.terminal();
        out = t.out();
        if (podIdentity) {
            return podIdentityDemo();
        }
        out.println(t.bold("irsa demo") + " - IAM Roles for Service Accounts, end to end on loopback");
        try (IrsaEnvironment env = IrsaEnvironment.builder().serviceAccount("default", "app").roleName("app-role")
                .credentialLifetime(Duration.ofSeconds(credentialSeconds)).start()) {
            cluster(env);
            pod(env);
            token(env);
            return exchangeAndRefresh(env);
        }
    }

    private void heading(String title) {
        out.println();
        out.println(t.bold(++step + ". " + title));
    }

    private void line(String label, Object value) {
        out.printf("   %-22s %s%n", label, value);
    }

    private void cluster(IrsaEnvironment env) {
        heading("The cluster and IAM (emulated on loopback)");
        line("OIDC issuer", env.issuer().issuer());
        line("JWKS", env.issuer().jwksUri() + " (keys " + env.issuer().keyIds().size() + ")");
        line("IAM OIDC provider", "arn:aws:iam::" + env.accountId() + ":oidc-provider/" + env.issuer().hostAndPath());
        line("STS endpoint", env.stsEndpoint() + " (region " + env.region() + ")");
        line("IAM role", env.roleArn());
        line("trust policy allows", env.issuer().hostAndPath() + ":sub = system:serviceaccount:default:app");
        line("", env.issuer().hostAndPath() + ":aud = sts.amazonaws.com");
    }

    private void pod(IrsaEnvironment env) {
        heading("The pod and its ServiceAccount");
        line("ServiceAccount", "default/app, annotated eks.amazonaws.com/role-arn=" + env.roleArn());
        out.println("   the EKS webhook injects into every new pod of that ServiceAccount:");
        env.podEnvironment().forEach((k, v) -> out.printf("     %s=%s%n", k, v));
    }

    private void token(IrsaEnvironment env) throws Exception {
        heading("The projected service-account token (written by the kubelet)");
        Path dir = env.volume().directory();
        line("token file", env.tokenFile() + " -> ..data/token");
        line("..data", "-> " + Files.readSymbolicLink(dir.resolve("..data")) + " (swapped atomically on rotation)");
        String jwt = Files.readString(env.tokenFile());
        WebIdentityToken claims = WebIdentityToken.decode(jwt, env.tokenFile().toString());
        line("signed", "RS256 by key " + env.issuer().keyIds().get(0).substring(0, 12) + "… (verified by STS via the JWKS)");
        line("iss", claims.issuer());
        line("sub", claims.subject());
        line("aud", claims.audiences());
        line("iat / exp", claims.issuedAt() + " / " + claims.expiresAt());
        line("kubernetes.io", "namespace " + claims.namespace() + ", serviceaccount " + claims.serviceAccount());
        line("token", t.dim("<" + jwt.length() + " characters, not shown>"));
    }

    private int exchangeAndRefresh(IrsaEnvironment env) throws Exception {
        AtomicInteger refreshes = new AtomicInteger();
        AtomicReference<RefreshListener.Succeeded> last = new AtomicReference<>();
        heading("STS AssumeRoleWithWebIdentity (unsigned call, the token is the credential)");
        IrsaCredentialsProvider provider = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("irsa-demo").shared(false)
                .refreshPolicy(DEMO_POLICY)
                .addListener(new RefreshListener() {
                    @Override
                    public void onRefreshSucceeded(Succeeded e) {
                        last.set(e);
                        refreshes.incrementAndGet();
                    }
                }).build();
        try (provider; StsClient sts = StsClient.builder().endpointOverride(env.stsEndpoint()).region(Region.of(env.region()))
                .credentialsProvider(provider).build()) {
            AwsSessionCredentials c = (AwsSessionCredentials) provider.resolveCredentials();
            line("request", "RoleArn=" + env.roleArn() + ", RoleSessionName=irsa-demo, WebIdentityToken=<the token>");
            line("access key id", mask(c.accessKeyId()));
            line("secret access key", t.dim("<redacted>"));
            line("session token", t.dim("<redacted, " + c.sessionToken().length() + " characters>"));
            line("expires", c.expirationTime().orElseThrow() + " (in " + secondsUntil(c.expirationTime().orElseThrow()) + " s)");

            heading("A signed AWS call with those credentials (SigV4, checked by the emulator)");
            GetCallerIdentityResponse me = sts.getCallerIdentity();
            line("GetCallerIdentity", t.green("accepted"));
            line("account", me.account());
            line("arn", me.arn());
            line("user id", me.userId());

            heading("Token rotation and the background refresh");
            int seen = refreshes.get();
            String newToken = env.rotateToken();
            line("kubelet rotated", "..data -> " + Files.readSymbolicLink(env.volume().directory().resolve("..data")));
            BooleanSupplier sentNew = () -> {
                List<StsCall> sent = env.sts().calls().all().stream()
                        .filter(x -> "AssumeRoleWithWebIdentity".equals(x.action()) && "Success".equals(x.outcome())).toList();
                return sent.get(sent.size() - 1).tokenFingerprint().equals(StsCall.fingerprint(newToken));
            };
            if (!awaitRefreshAfterRotation(refreshes, seen, sentNew)) {
                return 1;
            }
            List<StsCall> calls = env.sts().calls().all().stream()
                    .filter(x -> "AssumeRoleWithWebIdentity".equals(x.action())).toList();
            boolean rotatedSent = sentNew.getAsBoolean();
            AwsSessionCredentials fresh = (AwsSessionCredentials) provider.resolveCredentials();
            line("refreshed", t.green("in the background") + " in " + last.get().duration().toMillis() + " ms, "
                    + last.get().stsCalls() + " STS call");
            line("new access key id", mask(fresh.accessKeyId()) + ", expires " + fresh.expirationTime().orElseThrow());
            line("token sent", rotatedSent ? t.green("the rotated one") + " (read afresh, never cached)"
                    : t.red("an old one"));
            line("caller identity", sts.getCallerIdentity().arn());
            line("STS calls so far", calls.size() + " AssumeRoleWithWebIdentity, "
                    + env.sts().calls().count("GetCallerIdentity") + " GetCallerIdentity");
            if (!rotatedSent) {
                return 1;
            }
        }
        heading("Close");
        boolean stopped = awaitNoThreads();
        line("provider closed", stopped ? t.green("all irsa threads stopped") : t.red("irsa threads still running"));
        out.println();
        out.println(t.green("Done.") + " Inside a real pod, `irsa doctor` checks the same steps against AWS.");
        return stopped ? 0 : 1;
    }

    // ---------------------------------------------------------------------------------------------------------
    // EKS Pod Identity

    private int podIdentityDemo() throws Exception {
        out.println(t.bold("irsa demo --pod-identity") + " - EKS Pod Identity, end to end on loopback");
        try (PodIdentityEnvironment env = PodIdentityEnvironment.builder().serviceAccount("default", "app")
                .roleName("app-role").credentialLifetime(Duration.ofSeconds(credentialSeconds)).start()) {
            podCluster(env);
            podPod(env);
            podToken(env);
            return podExchangeAndRefresh(env);
        }
    }

    private void podCluster(PodIdentityEnvironment env) {
        heading("The cluster, the role and the Pod Identity association (emulated on loopback)");
        line("cluster token signer", env.issuer().issuer() + " (the cluster's service-account issuer)");
        line("IAM role", env.roleArn());
        line("trust policy allows", "Service pods.eks.amazonaws.com: sts:AssumeRole, sts:TagSession");
        line("association", "cluster test-cluster, namespace " + env.namespace() + ", service account "
                + env.serviceAccount() + " -> " + env.roleArn());
        line("Pod Identity agent", env.agentEndpoint() + " (on a node: " + PodIdentityConfig.EKS_AGENT_URI
                + ", IPv6 " + PodIdentityConfig.EKS_AGENT_URI_IPV6 + ")");
        line("STS endpoint", env.sts().endpoint() + " (region " + env.region() + ", for the signed call)");
        line("", "no IAM OIDC provider, no ServiceAccount annotation: the association is all");
    }

    private void podPod(PodIdentityEnvironment env) {
        heading("The pod and its ServiceAccount");
        line("ServiceAccount", env.namespace() + "/" + env.serviceAccount() + ", no annotation");
        out.println("   EKS injects into every new pod of that ServiceAccount (eks-pod-identity-agent add-on):");
        env.podEnvironment().forEach((k, v) -> out.printf("     %s=%s%n", k, v));
        line("automatic choice", CredentialSource.detect(dev.irsa.core.SettingsSource.ofEnvironment(env.podEnvironment()))
                .map(CredentialSource::tag).orElse("none") + " (no AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE; with"
                + " both, IRSA wins)");
    }

    private void podToken(PodIdentityEnvironment env) throws Exception {
        heading("The projected service-account token (written by the kubelet)");
        Path dir = env.volume().directory();
        line("token file", env.tokenFile() + " -> ..data/token");
        line("on EKS", PodIdentityConfig.EKS_TOKEN_FILE);
        line("..data", "-> " + Files.readSymbolicLink(dir.resolve("..data")) + " (swapped atomically on rotation)");
        String jwt = Files.readString(env.tokenFile());
        WebIdentityToken claims = WebIdentityToken.decode(jwt, env.tokenFile().toString());
        line("signed", "RS256 by key " + env.issuer().keyIds().get(0).substring(0, 12) + "… (verified by the agent's"
                + " EKS Auth call)");
        line("iss", claims.issuer());
        line("sub", claims.subject());
        line("aud", claims.audiences());
        line("iat / exp", claims.issuedAt() + " / " + claims.expiresAt());
        line("kubernetes.io", "namespace " + claims.namespace() + ", serviceaccount " + claims.serviceAccount());
        line("token", t.dim("<" + jwt.length() + " characters, not shown>"));
    }

    private int podExchangeAndRefresh(PodIdentityEnvironment env) throws Exception {
        AtomicInteger refreshes = new AtomicInteger();
        AtomicReference<RefreshListener.Succeeded> last = new AtomicReference<>();
        heading("The Pod Identity agent call (the token is the authorization)");
        IrsaCredentialsProvider provider = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).shared(false)
                .refreshPolicy(DEMO_POLICY)
                .addListener(new RefreshListener() {
                    @Override
                    public void onRefreshSucceeded(Succeeded e) {
                        last.set(e);
                        refreshes.incrementAndGet();
                    }
                }).build();
        try (provider; StsClient sts = StsClient.builder().endpointOverride(env.sts().endpoint())
                .region(Region.of(env.region())).credentialsProvider(provider).build()) {
            AwsSessionCredentials c = (AwsSessionCredentials) provider.resolveCredentials();
            PodIdentityCall call = env.agent().calls().get(env.agent().calls().size() - 1);
            line("request", "GET " + env.agentEndpoint());
            line("", "Authorization: <the token> (no \"Bearer\"), Host: " + call.host());
            line("answer", "HTTP " + call.status() + " " + call.outcome() + " for " + call.subject());
            line("source", provider.source().map(CredentialSource::tag).orElse("?"));
            line("access key id", mask(c.accessKeyId()));
            line("secret access key", t.dim("<redacted>"));
            line("session token", t.dim("<redacted, " + c.sessionToken().length() + " characters>"));
            line("account", c.accountId().orElse("?"));
            line("expires", c.expirationTime().orElseThrow() + " (in " + secondsUntil(c.expirationTime().orElseThrow())
                    + " s; 6 h on EKS)");

            heading("A signed AWS call with those credentials (SigV4, checked by the emulator)");
            GetCallerIdentityResponse me = sts.getCallerIdentity();
            line("GetCallerIdentity", t.green("accepted"));
            line("account", me.account());
            line("arn", me.arn());
            line("user id", me.userId());

            heading("Token rotation and the background refresh");
            int seen = refreshes.get();
            String newToken = env.rotateToken();
            line("kubelet rotated", "..data -> " + Files.readSymbolicLink(env.volume().directory().resolve("..data")));
            BooleanSupplier sentNew = () -> {
                List<PodIdentityCall> sent = env.agent().calls().stream().filter(PodIdentityCall::succeeded).toList();
                return sent.get(sent.size() - 1).tokenFingerprint().equals(StsCall.fingerprint(newToken));
            };
            if (!awaitRefreshAfterRotation(refreshes, seen, sentNew)) {
                return 1;
            }
            List<PodIdentityCall> calls = env.agent().calls().stream().filter(PodIdentityCall::succeeded).toList();
            boolean rotatedSent = sentNew.getAsBoolean();
            AwsSessionCredentials fresh = (AwsSessionCredentials) provider.resolveCredentials();
            line("refreshed", t.green("in the background") + " in " + last.get().duration().toMillis() + " ms, "
                    + last.get().stsCalls() + " agent call");
            line("new access key id", mask(fresh.accessKeyId()) + ", expires " + fresh.expirationTime().orElseThrow());
            line("token sent", rotatedSent ? t.green("the rotated one") + " (read afresh, never cached)"
                    : t.red("an old one"));
            line("caller identity", sts.getCallerIdentity().arn());
            line("calls so far", calls.size() + " to the agent, " + env.sts().calls().count("GetCallerIdentity")
                    + " GetCallerIdentity, " + env.sts().calls().count("AssumeRoleWithWebIdentity")
                    + " AssumeRoleWithWebIdentity");
            if (!rotatedSent) {
                return 1;
            }
        }
        heading("Close");
        boolean stopped = awaitNoThreads();
        line("provider closed", stopped ? t.green("all irsa threads stopped") : t.red("irsa threads still running"));
        out.println();
        out.println(t.green("Done.") + " Inside a real pod, `irsa doctor` checks the same steps against the node's agent.");
        return stopped ? 0 : 1;
    }

    /**
     * Waits for a background refresh that began after the rotation: one already under way when the token was
     * swapped (likely on a slow machine with seconds-long credentials) read the old token, and says nothing about
     * rotation. Done when a refresh after {@code seen} has sent the new token; false (and FAIL printed) when none
     * did within the credentials' lifetime plus 10 s.
     */
    private boolean awaitRefreshAfterRotation(AtomicInteger refreshes, int seen, BooleanSupplier sentNew)
            throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(credentialSeconds + 10);
        while (!(refreshes.get() > seen && sentNew.getAsBoolean()) && Instant.now().isBefore(deadline)) {
            t.progress("   waiting for the background refresh that reads the new token (ahead of expiry, no caller"
                    + " blocks)…");
            Thread.sleep(100);
        }
        t.clearProgress();
        if (refreshes.get() <= seen) {
            out.println("   " + t.red("FAIL") + " no background refresh within " + (credentialSeconds + 10) + " s");
            return false;
        }
        return true;
    }

    private static boolean awaitNoThreads() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < until) {
            boolean any = Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(th -> th.getName().startsWith("irsa-") && !th.getName().startsWith("irsa-testkit"));
            if (!any) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static long secondsUntil(Instant i) {
        return Math.max(0, Duration.between(Instant.now(), i).toSeconds());
    }

    private static String mask(String akid) {
        return akid.substring(0, 4) + "…" + akid.substring(akid.length() - 4);
    }
}
