package dev.irsa.core;

import dev.irsa.testkit.ManualClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.internal.StsWebIdentityExchange;
import dev.irsa.testkit.Fault;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.OidcIssuer;
import dev.irsa.testkit.StsCall;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The engine with the real exchange (the AWS SDK's StsClient over loopback HTTP) against the test kit's
 * emulator. Timers run on a manual scheduler so refresh points come without sleeping; every log line of the
 * failure paths is captured and checked for secrets.
 */
class StsIntegrationTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private ManualClock clock;
    private ManualScheduler scheduler;
    private LogCapture logs;
    private final List<IrsaSession> open = new ArrayList<>();
    private final List<String> secrets = new ArrayList<>();

    @BeforeEach
    void setUp() {
        clock = new ManualClock(Instant.now());
        scheduler = new ManualScheduler(clock);
        logs = new LogCapture();
    }

    @AfterEach
    void noSecretsAnywhere() throws Exception {
        open.forEach(IrsaSession::close);
        logs.close();
        secrets.add(Files.readString(irsa.tokenFile()));
        String everything = logs.all();
        for (String s : secrets) {
            assertThat(everything).doesNotContain(s);
        }
        assertThat(everything).doesNotContainPattern("eyJ[\\w-]{10,}\\.[\\w-]{10,}\\.");
    }

    private IrsaConfig.Builder config() {
        return IrsaConfig.builder().roleArn(irsa.roleArn()).tokenFile(irsa.tokenFile()).region(irsa.region())
                .stsEndpoint(irsa.stsEndpoint()).roleSessionName("it-session").clock(clock)
                .refreshPolicy(RefreshPolicy.builder().tokenReadRetry(Duration.ofMillis(100)).build());
    }

    private IrsaSession session(UnaryOperator<IrsaConfig.Builder> customize) {
        IrsaConfig c = customize.apply(config()).build();
        IrsaSession s = IrsaSession.create(c, new StsWebIdentityExchange(c), scheduler);
        open.add(s);
        return s;
    }

    private IrsaCredentials remember(IrsaCredentials c) {
        secrets.add(c.secretAccessKey());
        secrets.add(c.sessionToken());
        return c;
    }

    private IrsaException failure(IrsaSession s) {
        try {
            s.credentials();
        } catch (IrsaException e) {
            secrets.forEach(x -> assertThat(e.getMessage()).doesNotContain(x));
            logs.lines(); // keep the capture warm
            return e;
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void credentialsFromStsSignARealCall(IrsaEnvironment env) {
        IrsaCredentials c = remember(session(b -> b).credentials());
        assertThat(c.accessKeyId()).startsWith("ASIA");
        assertThat(c.assumedRoleArn()).isEqualTo("arn:aws:sts::111122223333:assumed-role/app-role/it-session");
        try (StsClient signed = StsClient.builder().endpointOverride(irsa.stsEndpoint()).region(Region.of(irsa.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()))).build()) {
            assertThat(signed.getCallerIdentity().arn()).isEqualTo(c.assumedRoleArn());
        }
        assertThat(c.toString()).doesNotContain(c.secretAccessKey()).doesNotContain(c.sessionToken());
        assertThat(logs.all()).contains("uses STS endpoint " + irsa.stsEndpoint());
    }

    @Test
    void aRotatedTokenIsSentOnTheNextRefresh(IrsaEnvironment env) throws Exception {
        IrsaSession s = session(b -> b);
        remember(s.credentials());
        String first = Files.readString(irsa.tokenFile());
        String second = env.rotateToken();
        assertThat(second).isNotEqualTo(first);
        scheduler.fireNext(); // the background refresh
        remember(s.credentials());
        List<StsCall> calls = env.sts().calls().all();
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).tokenFingerprint()).isEqualTo(StsCall.fingerprint(first));
        assertThat(calls.get(1).tokenFingerprint()).isEqualTo(StsCall.fingerprint(second));
    }

    @Test
    void anOutageShorterThanTheRemainingLifetimeCausesNoCallerError() {
        // STS and the engine share one manual clock here, so time can run past the credentials' natural life.
        try (IrsaEnvironment env = IrsaEnvironment.builder().clock(clock).start()) {
            IrsaConfig c = IrsaConfig.builder().roleArn(env.roleArn()).tokenFile(env.tokenFile()).region(env.region())
                    .stsEndpoint(env.stsEndpoint()).clock(clock).build();
            IrsaSession s = IrsaSession.create(c, new StsWebIdentityExchange(c), scheduler);
            open.add(s);
            IrsaCredentials cached = remember(s.credentials());
            env.sts().faults().failAlways(Fault.SERVICE_UNAVAILABLE);
            scheduler.fireNext(); // refresh point: STS is down
            int errors = 0;
            int calls = 0;
            Instant end = cached.expiration().minusSeconds(1);
            while (clock.instant().isBefore(end)) {
                try {
                    assertThat(s.credentials()).isSameAs(cached);
                } catch (IrsaException e) {
                    errors++;
                }
                calls++;
                scheduler.advance(Duration.ofSeconds(1));
            }
            assertThat(errors).isZero();
            assertThat(s.state().status()).isEqualTo(SessionState.Status.DEGRADED);
            long stsCalls = env.sts().calls().count("AssumeRoleWithWebIdentity", "ServiceUnavailable");
            // The outage lasts from the (randomised) refresh point to expiry: 7 to 54 minutes. Backoff starts at 1 s,
            // grows to minutes and tightens to at most 10 s apart in the last minute: about one call per 10-20 s
            // on average, against one caller call per second here.
            assertThat(stsCalls).as("backoff, not one call per caller call (" + calls + ")").isBetween(2L, 15L + calls / 10);
            assertThat(logs.lines()).filteredOn(l -> l.startsWith("WARN")).hasSize(1);

            env.sts().faults().clear();
            scheduler.fireNext();
            IrsaCredentials recovered = remember(s.credentials());
            assertThat(recovered).isNotSameAs(cached);
            assertThat(s.state().status()).isEqualTo(SessionState.Status.VALID);
            assertThat(logs.all()).contains("refreshed after");
        }
    }

    @Test
    void anOutagePastExpiryIsExplainedTruthfully() {
        try (IrsaEnvironment env = IrsaEnvironment.builder().clock(clock).start()) {
            IrsaConfig c = IrsaConfig.builder().roleArn(env.roleArn()).tokenFile(env.tokenFile()).region(env.region())
                    .stsEndpoint(env.stsEndpoint()).clock(clock).build();
            IrsaSession s = IrsaSession.create(c, new StsWebIdentityExchange(c), scheduler);
            open.add(s);
            IrsaCredentials cached = remember(s.credentials());
            env.sts().faults().failAlways(Fault.SERVICE_UNAVAILABLE); // "Service is unavailable. Please try again later."
            scheduler.advance(Duration.between(clock.instant(), cached.expiration()).plusSeconds(1));
            String message = failure(s).getMessage();
            assertThat(message).contains("expired at " + cached.expiration()).contains("ServiceUnavailable");
            // Nothing valid is left to serve: the message must not say it is served; one period per sentence.
            assertThat(message).doesNotContain("keeps serving").doesNotContain("served meanwhile").doesNotContain("..");
            assertThat(s.state().lastError()).doesNotContain("keeps serving").doesNotContain("..");
        }
    }

    @Test
    void connectionResetsAreRetried(IrsaEnvironment env) {
        env.sts().faults().failNext(2, Fault.CONNECTION_RESET);
        remember(session(b -> b).credentials());
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity", "ConnectionReset")).isEqualTo(2);
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity", "Success")).isEqualTo(1);
    }

    @Test
    void throttlingIsBackedOff(IrsaEnvironment env) {
        env.sts().faults().failNext(2, Fault.THROTTLING);
        IrsaSession s = session(b -> b);
        remember(s.credentials()); // a waiting caller: three attempts with jittered pauses
        List<StsCall> calls = env.sts().calls().all();
        assertThat(calls).extracting(StsCall::outcome).containsExactly("Throttling", "Throttling", "Success");
        env.sts().faults().failAlways(Fault.THROTTLING);
        scheduler.fireNext();
        assertThat(scheduler.nextDue() - clock.millis()).as("next background attempt backs off").isGreaterThanOrEqualTo(100);
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(4);
    }

    @Test
    void aTokenRejectedOnceIsReReadAndRetried(IrsaEnvironment env) {
        env.sts().faults().failNext(1, Fault.INVALID_IDENTITY_TOKEN);
        remember(session(b -> b.refreshPolicy(RefreshPolicy.builder().maxAttempts(1).build())).credentials());
        assertThat(env.sts().calls().all()).extracting(StsCall::outcome).containsExactly("InvalidIdentityToken", "Success");
    }

    @Test
    void trustPolicyMismatchShowsTheTokensSubAndAud(IrsaEnvironment env) {
        env.volume().write(env.issuer().token("default", "other").sign());
        IrsaException e = failure(session(b -> b));
        assertThat(e.kind()).isEqualTo(IrsaException.Kind.NON_RECOVERABLE);
        assertThat(e.stsErrorCode()).contains("AccessDenied");
        assertThat(e.getMessage()).contains("trust policy").contains("system:serviceaccount:default:other")
                .contains("[sts.amazonaws.com]").contains(env.issuer().hostAndPath() + ":sub")
                .contains("oidc-provider/" + env.issuer().hostAndPath()).contains("typo");
    }

    @Test
    void unknownRoleHintsAtATypo(IrsaEnvironment env) {
        IrsaException e = failure(session(b -> b.roleArn("arn:aws:iam::111122223333:role/app-rol")));
        assertThat(e.stsErrorCode()).contains("AccessDenied");
        assertThat(e.getMessage()).contains("does not exist").contains("typo");
    }

    @Test
    void unregisteredOidcProvider(IrsaEnvironment env) {
        env.sts().removeOidcProvider(env.issuer().issuer());
        try {
            IrsaException e = failure(session(b -> b));
            assertThat(e.kind()).isEqualTo(IrsaException.Kind.NON_RECOVERABLE);
            assertThat(e.getMessage()).contains("not registered as an IAM OIDC provider").contains("associate-iam-oidc-provider");
        } finally {
            env.sts().registerOidcProvider(env.issuer().issuer(), "sts.amazonaws.com");
        }
    }

    @Test
    void wrongAudience(IrsaEnvironment env) {
        env.volume().write(env.token().audience("vault").sign());
        IrsaException e = failure(session(b -> b));
        assertThat(e.stsErrorCode()).contains("InvalidIdentityToken");
        assertThat(e.getMessage()).contains("[vault]").contains("client IDs");
        assertThat(logs.all()).contains("has audience [vault], not sts.amazonaws.com");
    }

    @Test
    void missingSubIsARejectedClaim(IrsaEnvironment env) {
        env.volume().write(env.token().subject(null).sign());
        IrsaException e = failure(session(b -> b));
        assertThat(e.stsErrorCode()).contains("IDPRejectedClaim");
        assertThat(e.getMessage()).contains("clock");
    }

    @Test
    void expiredTokenAfterReRead() {
        ManualClock stsClock = new ManualClock(Instant.now());
        try (IrsaEnvironment env = IrsaEnvironment.builder().clock(stsClock).tokenLifetime(Duration.ofMinutes(30)).start()) {
            stsClock.advance(Duration.ofHours(1)); // STS's clock is ahead of the token; ours is not
            IrsaConfig c = IrsaConfig.builder().roleArn(env.roleArn()).tokenFile(env.tokenFile()).region(env.region())
                    .stsEndpoint(env.stsEndpoint()).clock(clock).build();
            IrsaSession s = IrsaSession.create(c, new StsWebIdentityExchange(c), scheduler);
            open.add(s);
            IrsaException e = failure(s);
            assertThat(e.stsErrorCode()).contains("ExpiredTokenException");
            assertThat(e.kind()).isEqualTo(IrsaException.Kind.TOKEN);
            assertThat(e.getMessage()).contains("not rotating");
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity", "ExpiredTokenException")).isEqualTo(2);
        }
    }

    @Test
    void locallyExpiredOrMalformedTokensAreExplainedBeforeSts(IrsaEnvironment env) throws Exception {
        env.volume().write(env.token().expired().sign());
        assertThat(failure(session(b -> b)).getMessage()).contains("expired at").contains("not rotated");
        env.volume().write("this-is-not-a-jwt");
        assertThat(failure(session(b -> b)).getMessage()).contains("is not a JWT");
        Files.delete(env.volume().directory().resolve("token"));
        assertThat(failure(session(b -> b)).getMessage()).contains("does not exist");
        assertThat(env.sts().calls().all()).isEmpty();
        env.rotateToken();
    }

    @Test
    void sessionPolicyErrors(IrsaEnvironment env) {
        assertThat(failure(session(b -> b.sessionPolicy("{not json"))).getMessage())
                .contains("MalformedPolicyDocument").contains("session policy");
        SecureRandom r = new SecureRandom();
        StringBuilder big = new StringBuilder("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":[");
        while (big.length() < 1900) {
            byte[] noise = new byte[24];
            r.nextBytes(noise);
            big.append("\"arn:aws:s3:::").append(Base64.getUrlEncoder().withoutPadding().encodeToString(noise)).append("\",");
        }
        big.setLength(big.length() - 1);
        big.append("]}]}");
        assertThat(failure(session(b -> b.sessionPolicy(big.toString()))).getMessage()).contains("PackedPolicyTooLarge")
                .contains("Shorten");
        String shortRole = env.sts().createRole(env.accountId(), "one-hour-role", dev.irsa.testkit.TrustPolicy.forServiceAccount(
                env.accountId(), env.issuer().hostAndPath(), "default", "app"), Duration.ofHours(1));
        assertThat(failure(session(b -> b.roleArn(shortRole).sessionDuration(Duration.ofHours(2)))).getMessage())
                .contains("ValidationError").contains("MaxSessionDuration");
    }

    @Test
    void disabledRegion(IrsaEnvironment env) {
        env.sts().faults().failAlways(Fault.REGION_DISABLED);
        IrsaException e = failure(session(b -> b));
        assertThat(e.stsErrorCode()).contains("RegionDisabledException");
        assertThat(e.getMessage()).contains("Activate it in IAM");
    }

    @Test
    void transientErrorsAreRetryableWithTheirCode(IrsaEnvironment env) {
        for (Fault f : new Fault[] {Fault.INTERNAL_ERROR, Fault.SERVICE_UNAVAILABLE, Fault.IDP_COMMUNICATION_ERROR,
                Fault.THROTTLING}) {
            env.sts().faults().clear();
            env.sts().faults().failAlways(f);
            IrsaException e = failure(session(b -> b.refreshPolicy(RefreshPolicy.builder().maxAttempts(1).build())));
            assertThat(e.kind()).as(f.name()).isEqualTo(IrsaException.Kind.RETRYABLE);
            assertThat(e.stsErrorCode()).contains(f.outcome());
        }
        env.sts().faults().failAlways(Fault.CONNECTION_RESET);
        IrsaException io = failure(session(b -> b.refreshPolicy(RefreshPolicy.builder().maxAttempts(1).build())));
        assertThat(io.kind()).isEqualTo(IrsaException.Kind.RETRYABLE);
        assertThat(io.getMessage()).contains("Could not reach STS");
    }

    @Test
    void aSlowStsTimesOutWithinTheReadTimeout(IrsaEnvironment env) throws Exception {
        // STS answers in 5 s; a failure within 3 s (the 300 ms read timeout plus slack for a loaded machine) cannot
        // have waited for the answer.
        env.sts().faults().latency(Duration.ofSeconds(5));
        long t0 = System.nanoTime();
        IrsaException e = failure(session(b -> b.timeouts(Duration.ofSeconds(1), Duration.ofMillis(300))
                .refreshPolicy(RefreshPolicy.builder().maxAttempts(1).build())));
        assertThat(e.getMessage()).contains("STS at " + irsa.stsEndpoint());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        // Let the emulator finish the abandoned request so it does not land in the next test's call log.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (env.sts().calls().all().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void anUnreachableStsIsAnOutageNotACrash() {
        IrsaException e = failure(session(b -> b.stsEndpoint(java.net.URI.create("http://127.0.0.1:1"))
                .refreshPolicy(RefreshPolicy.builder().maxAttempts(1).build())));
        assertThat(e.kind()).isEqualTo(IrsaException.Kind.RETRYABLE);
        assertThat(e.getMessage()).contains("Could not reach STS at http://127.0.0.1:1");
    }

    @Test
    void aSecondIssuerStillNeedsItsOwnProvider() {
        try (OidcIssuer other = OidcIssuer.start()) {
            irsa.environment().volume().write(other.token("default", "app").sign());
            assertThat(failure(session(b -> b)).getMessage()).contains(other.issuer().toString());
        }
    }
}
