package dev.irsa.cli;

import dev.irsa.core.RefreshListener;
import dev.irsa.core.SettingsSource;
import dev.irsa.core.WebIdentityToken;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.StsCall;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/** Walks the whole IRSA flow on loopback, with no AWS account: what a pod gets, and what happens to it. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs IRSA end to end on this machine (loopback only, no AWS account): a local OIDC issuer and",
                "STS, a pod's projected token, AssumeRoleWithWebIdentity, a signed AWS call, token rotation and a",
                "background refresh. Prints what happens at each step; never prints a secret."})
final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    IrsaCli cli;

    @Option(names = "--credential-lifetime", defaultValue = "6", paramLabel = "SECONDS",
            description = "Lifetime of the emulated credentials, so the background refresh comes quickly (default ${DEFAULT-VALUE}).")
    long credentialSeconds;

    private Terminal t;
    private PrintWriter out;
    private int step;

    @Override
    public Integer call() throws Exception {
        t = cli.terminal();
        out = t.out();
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
        CountDownLatch refreshed = new CountDownLatch(2);
        AtomicReference<RefreshListener.Succeeded> last = new AtomicReference<>();
        heading("STS AssumeRoleWithWebIdentity (unsigned call, the token is the credential)");
        IrsaCredentialsProvider provider = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("irsa-demo").shared(false)
                .addListener(new RefreshListener() {
                    @Override
                    public void onRefreshSucceeded(Succeeded e) {
                        last.set(e);
                        refreshed.countDown();
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
            String newToken = env.rotateToken();
            line("kubelet rotated", "..data -> " + Files.readSymbolicLink(env.volume().directory().resolve("..data")));
            Instant deadline = Instant.now().plusSeconds(credentialSeconds + 10);
            while (refreshed.getCount() > 0 && Instant.now().isBefore(deadline)) {
                t.progress("   waiting for the background refresh (ahead of expiry, no caller blocks) "
                        + secondsUntil(c.expirationTime().orElseThrow()) + " s before expiry…");
                refreshed.await(250, TimeUnit.MILLISECONDS);
            }
            t.clearProgress();
            if (refreshed.getCount() > 0) {
                out.println("   " + t.red("FAIL") + " no background refresh within " + (credentialSeconds + 10) + " s");
                return 1;
            }
            List<StsCall> calls = env.sts().calls().all().stream()
                    .filter(x -> "AssumeRoleWithWebIdentity".equals(x.action())).toList();
            boolean rotatedSent = calls.get(calls.size() - 1).tokenFingerprint().equals(StsCall.fingerprint(newToken));
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
