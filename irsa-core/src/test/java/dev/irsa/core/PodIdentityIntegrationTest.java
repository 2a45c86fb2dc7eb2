package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.internal.ContainerCredentialsExchange;
import dev.irsa.testkit.ManualClock;
import dev.irsa.testkit.PodIdentityAgentEmulator;
import dev.irsa.testkit.PodIdentityCall;
import dev.irsa.testkit.PodIdentityEnvironment;
import dev.irsa.testkit.PodIdentityFault;
import dev.irsa.testkit.StsCall;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The engine with the real container-credentials exchange (HTTP over loopback) against the test kit's Pod Identity
 * agent emulator, which shares the test's manual clock so that refresh points and expiry come without sleeping.
 * Every log line is captured and checked for tokens and secrets.
 */
class PodIdentityIntegrationTest {
    private ManualClock clock;
    private ManualScheduler scheduler;
    private LogCapture logs;
    private PodIdentityEnvironment env;
    private final List<IrsaSession> open = new ArrayList<>();
    private final Set<String> secrets = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void setUp() {
        clock = new ManualClock(Instant.now());
        scheduler = new ManualScheduler(clock);
        logs = new LogCapture();
        env = PodIdentityEnvironment.builder().clock(clock).start();
    }

    @AfterEach
    void noSecretsAnywhere() throws Exception {
        open.forEach(IrsaSession::close);
        secrets.add(Files.readString(env.tokenFile()));
        env.close();
        logs.close();
        String everything = logs.all();
        for (String s : secrets) {
            assertThat(everything).doesNotContain(s);
        }
        assertThat(everything).doesNotContainPattern("eyJ[\\w-]{10,}\\.[\\w-]{10,}\\.");
    }

    private PodIdentityConfig.Builder config() {
        return PodIdentityConfig.builder().settings(SettingsSource.ofEnvironment(Map.of()))
                .endpoint(env.agentEndpoint()).tokenFile(env.tokenFile()).clock(clock)
                .refreshPolicy(RefreshPolicy.builder().tokenReadRetry(Duration.ofMillis(200)).build());
    }

    private IrsaSession session(UnaryOperator<PodIdentityConfig.Builder> customize) {
        PodIdentityConfig c = customize.apply(config()).build();
        IrsaSession s = IrsaSession.create(c, new ContainerCredentialsExchange(c), scheduler);
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
            remember(s.credentials());
        } catch (IrsaException e) {
            secrets.forEach(x -> assertThat(e.getMessage()).doesNotContain(x));
            return e;
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void credentialsFromTheAgentAreAcceptedByGetCallerIdentity() throws Exception {
        IrsaSession s = session(b -> b);
        IrsaCredentials c = remember(s.credentials());
        assertThat(c.accountId()).isEqualTo(env.accountId());
        assertThat(c.expiration()).isAfter(clock.instant().plus(Duration.ofHours(5)));
        try (StsClient signed = StsClient.builder().endpointOverride(env.sts().endpoint()).region(Region.of(env.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()))).build()) {
            assertThat(signed.getCallerIdentity().arn()).startsWith("arn:aws:sts::" + env.accountId()
                    + ":assumed-role/app-role/eks-test-cluster-");
        }
        PodIdentityCall call = env.agent().calls().get(0);
        assertThat(call.tokenFingerprint()).as("the raw token, no Bearer")
                .isEqualTo(StsCall.fingerprint(Files.readString(env.tokenFile()).strip()));
        assertThat(call.subject()).isEqualTo("system:serviceaccount:default:app");
        SessionState st = s.state();
        assertThat(st.source()).isEqualTo("pod-identity");
        assertThat(st.status()).isEqualTo(SessionState.Status.VALID);
        assertThat(st.subject()).isEqualTo("system:serviceaccount:default:app");
        assertThat(st.details(clock.instant())).containsEntry("source", "pod-identity")
                .containsEntry("agentEndpoint", env.agentEndpoint().toString());
        assertThat(s.source()).isEqualTo(CredentialSource.POD_IDENTITY);
        assertThat(logs.all()).contains("EKS Pod Identity session uses the agent at " + env.agentEndpoint());
    }

    @Test
    void tokenRotationUnderLoadCausesNoCallerError() throws Exception {
        env.agent().credentialLifetime(Duration.ofHours(1));
        IrsaSession s = session(b -> b);
        remember(s.credentials());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong errors = new AtomicLong();
        AtomicLong served = new AtomicLong();
        Set<String> written = ConcurrentHashMap.newKeySet();
        written.add(StsCall.fingerprint(Files.readString(env.tokenFile()).strip()));
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            threads.add(daemon(() -> {
                while (!stop.get()) {
                    try {
                        remember(s.credentials());
                        served.incrementAndGet();
                    } catch (IrsaException e) {
                        errors.incrementAndGet();
                    }
                }
            }));
        }
        threads.add(daemon(() -> {
            while (!stop.get()) {
                String t = env.rotateToken(); // the kubelet's atomic swap, as fast as it can go
                written.add(StsCall.fingerprint(t));
                secrets.add(t);
            }
        }));
        int refreshes = 25;
        for (int i = 0; i < refreshes; i++) {
            scheduler.fireNext(); // the refresh point: a real GET to the agent with a freshly read token
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join(5000);
        }
        assertThat(errors.get()).isZero();
        assertThat(served.get()).isPositive();
        List<PodIdentityCall> calls = env.agent().calls();
        assertThat(calls).allMatch(PodIdentityCall::succeeded);
        assertThat(calls).hasSize(refreshes + 1);
        assertThat(calls).extracting(PodIdentityCall::tokenFingerprint).allMatch(written::contains);
        assertThat(calls.stream().map(PodIdentityCall::tokenFingerprint).distinct().count())
                .as("rotated tokens are sent").isGreaterThan(1);
    }

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "pod-identity-load");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void anAgentOutageWithValidCachedCredentialsCausesNoCallerError() {
        env.agent().credentialLifetime(Duration.ofHours(1));
        IrsaSession s = session(b -> b);
        IrsaCredentials cached = remember(s.credentials());
        env.agent().faults().failAlways(PodIdentityFault.SERVICE_UNAVAILABLE);
        scheduler.fireNext(); // refresh point: the agent is down
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
        assertThat(s.state().healthStatus()).isEqualTo("UP");
        long agentCalls = env.agent().count("ServiceUnavailableException");
        assertThat(agentCalls).as("backoff, not one call per caller call (" + calls + ")").isBetween(2L, 15L + calls / 10);
        assertThat(logs.lines()).filteredOn(l -> l.startsWith("WARN")).hasSize(1);
        assertThat(s.state().lastError()).contains("HTTP 503").contains("ServiceUnavailableException");

        env.agent().faults().clear();
        scheduler.fireNext();
        assertThat(remember(s.credentials())).isNotSameAs(cached);
        assertThat(s.state().status()).isEqualTo(SessionState.Status.VALID);
    }

    @Test
    void anOutagePastExpiryIsExplainedTruthfully() {
        env.agent().credentialLifetime(Duration.ofHours(1));
        IrsaSession s = session(b -> b);
        IrsaCredentials cached = remember(s.credentials());
        env.agent().faults().failAlways(PodIdentityFault.SERVICE_UNAVAILABLE);
        scheduler.advance(Duration.between(clock.instant(), cached.expiration()).plusSeconds(1));
        String message = failure(s).getMessage();
        assertThat(message).contains("expired at " + cached.expiration()).contains("HTTP 503");
        // Nothing valid is left to serve: the message must not say it is served.
        assertThat(message).doesNotContain("served meanwhile").doesNotContain("keeps serving").doesNotContain("..");
        assertThat(s.state().lastError()).doesNotContain("served meanwhile").doesNotContain("..");
    }

    @Test
    void aTokenFileThatIsNotAJwtGetsPodIdentityAdvice() {
        env.volume().write("not-a-jwt");
        IrsaException e = failure(session(b -> b));
        assertThat(e.kind()).isEqualTo(IrsaException.Kind.TOKEN);
        assertThat(e.getMessage()).contains("EKS Pod Identity token").contains("is not a JWT")
                .contains("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE").contains(PodIdentityConfig.EKS_TOKEN_FILE.toString())
                .doesNotContain("AWS_WEB_IDENTITY_TOKEN_FILE").doesNotContain("/var/run/secrets/eks.amazonaws.com/");
    }

    @Test
    void a429StormIsRetriedWithBackoffAndCostsCallersNothing() {
        env.agent().faults().failNext(2, PodIdentityFault.THROTTLED);
        IrsaSession s = session(b -> b);
        IrsaCredentials cached = remember(s.credentials()); // a waiting caller: retried through two 429s
        assertThat(env.agent().calls()).extracting(PodIdentityCall::outcome)
                .containsExactly("ThrottlingException", "ThrottlingException", "Success");
        env.agent().faults().failAlways(PodIdentityFault.THROTTLED);
        scheduler.fireNext();
        int errors = 0;
        for (int i = 0; i < 1800; i++) {
            try {
                assertThat(s.credentials()).isSameAs(cached);
            } catch (IrsaException e) {
                errors++;
            }
            scheduler.advance(Duration.ofSeconds(1));
        }
        assertThat(errors).isZero();
        assertThat(env.agent().count("ThrottlingException")).as("a storm is not amplified").isLessThan(30);
        assertThat(s.state().lastErrorKind()).isEqualTo(IrsaException.Kind.RETRYABLE);
    }

    @Test
    void resetsAndGarbageAreRetried() {
        env.agent().faults().failNext(1, PodIdentityFault.CONNECTION_RESET).failNext(1, PodIdentityFault.GARBAGE_200);
        remember(session(b -> b).credentials());
        assertThat(env.agent().calls()).extracting(PodIdentityCall::outcome)
                .containsExactly("ConnectionReset", "Garbage200", "Success");
    }

    @Test
    void expirationWithNanosecondsOrAPlus0000OffsetIsRead() {
        env.agent().expirationStyle(PodIdentityAgentEmulator.ExpirationStyle.NANOS_Z);
        IrsaCredentials a = remember(session(b -> b).credentials());
        assertThat(a.expiration().getNano()).isEqualTo(999_999_999);
        env.agent().expirationStyle(PodIdentityAgentEmulator.ExpirationStyle.PLUS_0000);
        IrsaCredentials b = remember(session(x -> x).credentials());
        assertThat(b.expiration()).isAfter(clock.instant().plus(Duration.ofHours(5)));
    }

    @Test
    void ipv6LoopbackAgent() {
        try (PodIdentityEnvironment v6 = PodIdentityEnvironment.builder().clock(clock).ipv6(true).start()) {
            assertThat(v6.agentEndpoint().getHost()).isEqualTo("[::1]");
            PodIdentityConfig c = PodIdentityConfig.builder().settings(SettingsSource.ofEnvironment(v6.podEnvironment()))
                    .clock(clock).build();
            IrsaSession s = IrsaSession.create(c, new ContainerCredentialsExchange(c), scheduler);
            open.add(s);
            assertThat(remember(s.credentials()).accountId()).isEqualTo(v6.accountId());
            assertThat(v6.agent().calls().get(0).host()).startsWith("[::1]:");
        }
    }

    @Test
    void noAssociationIsA403ThatNamesTheAssociation() {
        env.agent().removeAssociation("default", "app");
        IrsaException e = failure(session(b -> b));
        assertThat(e.kind()).isEqualTo(IrsaException.Kind.NON_RECOVERABLE);
        assertThat(e.stsErrorCode()).contains("AccessDeniedException");
        assertThat(e.getMessage()).contains("HTTP 403").contains("Pod Identity association")
                .contains("namespace default, service account app").contains("169.254.170.23");
        assertThat(env.agent().calls()).hasSize(1);
    }

    @Test
    void theAgentRefusesAHostThatIsNotItsOwnAndTheErrorNamesItsAddress() {
        URI viaName = URI.create("http://localhost:" + env.agentEndpoint().getPort() + "/v1/credentials");
        IrsaException e = failure(session(b -> b.endpoint(viaName)));
        assertThat(env.agent().calls().get(0).host()).startsWith("localhost");
        assertThat(e.getMessage()).contains("Called agent through invalid address").contains("169.254.170.23")
                .contains("[fd00:ec2::23]");
    }

    @Test
    void aRejectedTokenIsReReadOnceThenNamedWithItsAudience() {
        env.volume().write(env.issuer().token("default", "app").sign()); // audience sts.amazonaws.com: IRSA's token
        IrsaException e = failure(session(b -> b));
        assertThat(e.kind()).isEqualTo(IrsaException.Kind.TOKEN);
        assertThat(e.getMessage()).contains("HTTP 400").contains(env.tokenFile().toString())
                .contains("pods.eks.amazonaws.com").contains("aud [sts.amazonaws.com]");
        assertThat(env.agent().calls()).extracting(PodIdentityCall::outcome)
                .containsExactly("InvalidTokenException", "InvalidTokenException");
        assertThat(logs.all()).contains("has audience [sts.amazonaws.com], not pods.eks.amazonaws.com");
    }

    @Test
    void aLiteralTokenWinsOverTheFile() throws Exception {
        String literal = env.token().sign();
        secrets.add(literal);
        Map<String, String> vars = Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI", env.agentEndpoint().toString(),
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", env.tokenFile().toString(),
                "AWS_CONTAINER_AUTHORIZATION_TOKEN", literal);
        PodIdentityConfig c = PodIdentityConfig.builder().settings(SettingsSource.ofEnvironment(vars)).clock(clock).build();
        assertThat(c.literalToken()).contains(literal);
        assertThat(c.toString()).doesNotContain(literal);
        IrsaSession s = IrsaSession.create(c, new ContainerCredentialsExchange(c), scheduler);
        open.add(s);
        remember(s.credentials());
        assertThat(env.agent().calls().get(0).tokenFingerprint()).isEqualTo(StsCall.fingerprint(literal));
    }

    @Test
    void plainHttpOnlyToLoopbackAndTheAgents() {
        for (String ok : List.of("http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1/credentials",
                "http://169.254.170.2/creds", "http://127.0.0.1:9/x", "http://[::1]:9/x", "https://agent.example.com/x")) {
            assertThat(config().endpoint(URI.create(ok)).build().endpoint()).hasToString(ok);
        }
        assertThat(config().endpoint(PodIdentityConfig.EKS_AGENT_URI_IPV6).build().ipv6Agent()).isTrue();
        for (String bad : List.of("http://10.0.0.1/v1/credentials", "http://169.254.169.254/latest", "ftp://127.0.0.1/x")) {
            assertThatThrownBy(() -> config().endpoint(URI.create(bad)).build())
                    .isInstanceOf(IrsaConfigurationException.class);
        }
    }

    @Test
    void whenBothAreConfiguredIrsaWinsAndItIsLoggedOnce() {
        Map<String, String> pod = env.podEnvironment();
        Map<String, String> both = new java.util.HashMap<>(pod);
        both.put("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/irsa");
        both.put("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token");
        assertThat(CredentialSource.detect(SettingsSource.ofEnvironment(pod))).contains(CredentialSource.POD_IDENTITY);
        assertThat(CredentialSource.detect(SettingsSource.ofEnvironment(both))).contains(CredentialSource.WEB_IDENTITY);
        assertThat(CredentialSource.detect(SettingsSource.ofEnvironment(both))).contains(CredentialSource.WEB_IDENTITY);
        assertThat(CredentialSource.detect(SettingsSource.ofEnvironment(Map.of(
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x")))).isEmpty();
        assertThat(CredentialSource.detect(SettingsSource.ofEnvironment(Map.of(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials")))).as("no token").isEmpty();
        assertThat(logs.lines()).filteredOn(l -> l.startsWith("INFO") && l.contains("using IRSA")).hasSizeLessThanOrEqualTo(1);
    }
}
