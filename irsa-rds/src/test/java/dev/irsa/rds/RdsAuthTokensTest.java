package dev.irsa.rds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.ManualClock;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import dev.irsa.testkit.rds.RdsAuthTokenVerifier;
import dev.irsa.testkit.rds.RdsAuthTokenVerifier.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Tokens signed by the real SDK with credentials the real emulator issued, checked by the test kit's verifier. */
class RdsAuthTokensTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    static final String HOST = "mydb.abc123.us-west-2.rds.amazonaws.com";

    static IrsaCredentialsProvider provider(IrsaEnvironment env) {
        return IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                .roleSessionName("rds-test").shared(false).build();
    }

    @Test
    void tokenSignedWithOurCredentialsIsAcceptedForItsEndpointAndUserOnly(IrsaEnvironment env) {
        try (IrsaCredentialsProvider p = provider(env);
             RdsAuthTokens tokens = RdsAuthTokens.builder().credentialsProvider(p).build()) {
            RdsEndpoint ep = RdsEndpoint.of(HOST, 5432, "app_user");
            assertThat(ep.region()).isEqualTo("us-west-2");
            String token = tokens.token(ep);
            assertThat(token).startsWith(HOST + ":5432/?").contains("Action=connect", "DBUser=app_user",
                    "X-Amz-Expires=900", "%2Frds-db%2Faws4_request");
            RdsAuthTokenVerifier verifier = RdsAuthTokenVerifier.forEmulator(env.sts());
            RdsAuthTokenVerifier.Verdict v = verifier.verify(token, HOST, 5432, "app_user", "us-west-2");
            assertThat(v.reason()).as(v.message()).isEqualTo(Reason.ACCEPTED);
            assertThat(v.assumedRoleArn()).isEqualTo("arn:aws:sts::111122223333:assumed-role/app-role/rds-test");
            assertThat(v.message()).doesNotContain(token);

            assertThat(verifier.verify(token, HOST, 5432, "other_user", "us-west-2").reason()).isEqualTo(Reason.WRONG_USER);
            assertThat(verifier.verify(token, HOST, 5433, "app_user", "us-west-2").reason()).isEqualTo(Reason.WRONG_ENDPOINT);
            assertThat(verifier.verify(token, "other." + HOST, 5432, "app_user", "us-west-2").reason()).isEqualTo(Reason.WRONG_ENDPOINT);
            assertThat(verifier.verify(token, HOST, 5432, "app_user", "eu-west-1").reason()).isEqualTo(Reason.WRONG_REGION);
            assertThat(verifier.verify(token.replace("Action=connect", "Action=connecx"), HOST, 5432, "app_user", "us-west-2")
                    .reason()).as("a tampered claim breaks the signature").isEqualTo(Reason.SIGNATURE_MISMATCH);
        }
    }

    @Test
    void verifierRefusesEachBadTokenWithItsOwnReason(IrsaEnvironment env) {
        try (IrsaCredentialsProvider p = provider(env);
             RdsAuthTokens tokens = RdsAuthTokens.builder().credentialsProvider(p).build()) {
            String token = tokens.token(HOST, 5432, "app_user", "us-west-2");
            Instant now = Instant.now();
            RdsAuthTokenVerifier verifier = RdsAuthTokenVerifier.forEmulator(env.sts());
            int sig = token.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
            String wrongSignature = token.substring(0, sig) + (token.charAt(sig) == 'a' ? 'b' : 'a') + token.substring(sig + 1);
            assertThat(verifier.verify(wrongSignature, HOST, 5432, "app_user", "us-west-2").reason()).isEqualTo(Reason.SIGNATURE_MISMATCH);

            AwsCredentials real = p.resolveCredentials();
            String unknown = RdsAuthTokens.builder().credentialsProvider(StaticCredentialsProvider.create(
                    AwsSessionCredentials.create("ASIAUNKNOWN000000000", real.secretAccessKey(), "token"))).build()
                    .token(HOST, 5432, "app_user", "us-west-2");
            assertThat(verifier.verify(unknown, HOST, 5432, "app_user", "us-west-2").reason()).isEqualTo(Reason.UNKNOWN_ACCESS_KEY);

            String wrongSecret = RdsAuthTokens.builder().credentialsProvider(StaticCredentialsProvider.create(
                    AwsSessionCredentials.create(real.accessKeyId(), "not-the-secret", ((AwsSessionCredentials) real).sessionToken())))
                    .build().token(HOST, 5432, "app_user", "us-west-2");
            assertThat(verifier.verify(wrongSecret, HOST, 5432, "app_user", "us-west-2").reason()).isEqualTo(Reason.SIGNATURE_MISMATCH);

            RdsAuthTokenVerifier in16Minutes = RdsAuthTokenVerifier.forEmulator(env.sts(),
                    Clock.fixed(now.plus(Duration.ofMinutes(16)), ZoneOffset.UTC));
            RdsAuthTokenVerifier.Verdict expired = in16Minutes.verify(token, HOST, 5432, "app_user", "us-west-2");
            assertThat(expired.reason()).as(expired.message()).isEqualTo(Reason.EXPIRED_TOKEN);

            RdsAuthTokenVerifier afterCredentialsExpired = RdsAuthTokenVerifier.forEmulator(env.sts(),
                    Clock.fixed(real.expirationTime().orElseThrow().plusSeconds(1), ZoneOffset.UTC));
            assertThat(afterCredentialsExpired.verify(token, HOST, 5432, "app_user", "us-west-2").reason())
                    .isEqualTo(Reason.EXPIRED_CREDENTIALS);
            assertThat(verifier.verify("https://" + token, HOST, 5432, "app_user", "us-west-2").reason()).isEqualTo(Reason.MALFORMED);
        }
    }

    @Test
    void credentialsShorterThanTheTokenBoundIt() {
        // A token must not be trusted past its credentials: 2 minutes left and a 3-minute margin: never cached.
        ManualClock clock = ManualClock.now();
        AwsCredentials shortLived = AwsSessionCredentials.builder().accessKeyId("ASIASHORT").secretAccessKey("s")
                .sessionToken("t").expirationTime(clock.instant().plus(Duration.ofMinutes(2))).build();
        try (RdsAuthTokens tokens = RdsAuthTokens.builder().credentialsProvider(() -> shortLived).clock(clock).build()) {
            tokens.token(HOST, 5432, "u", "us-west-2");
            tokens.token(HOST, 5432, "u", "us-west-2");
            assertThat(tokens.signatures()).isEqualTo(2);
        }
    }

    @Test
    void cachedWhileSafelyValidThenResignedWithTheCurrentCredentials() {
        ManualClock clock = ManualClock.now();
        AtomicReference<AwsCredentials> current = new AtomicReference<>(creds("ASIAFIRST", clock.instant().plus(Duration.ofHours(1))));
        try (RdsAuthTokens tokens = RdsAuthTokens.builder().credentialsProvider(current::get).clock(clock)
                .margin(Duration.ofMinutes(3)).build()) {
            RdsEndpoint ep = RdsEndpoint.of(HOST, 5432, "app_user");
            String first = tokens.token(ep);
            clock.advance(Duration.ofMinutes(11));
            assertThat(tokens.token(ep)).as("4 minutes of validity left > 3-minute margin").isSameAs(first);
            assertThat(tokens.token(RdsEndpoint.of(HOST, 5432, "other_user"))).isNotEqualTo(first);
            assertThat(tokens.signatures()).isEqualTo(2);
            clock.advance(Duration.ofMinutes(1));
            assertThat(tokens.token(ep)).as("3 minutes left: no longer handed out").isNotSameAs(first);
            assertThat(tokens.signatures()).isEqualTo(3);

            // the session refreshed its credentials: the next token is signed with the new ones, at once
            current.set(creds("ASIASECOND", clock.instant().plus(Duration.ofHours(1))));
            assertThat(tokens.token(ep)).contains("X-Amz-Credential=ASIASECOND");
            assertThat(tokens.token(ep)).contains("X-Amz-Credential=ASIASECOND");
            assertThat(tokens.signatures()).isEqualTo(4);
            assertThat(tokens.toString()).doesNotContain("secret", "ASIASECOND");
        }
    }

    @Test
    void manyThreadsAskingAtOnceGetOneSignature() throws Exception {
        AwsCredentials c = creds("ASIAONE", Instant.now().plus(Duration.ofHours(1)));
        try (RdsAuthTokens tokens = RdsAuthTokens.builder().credentialsProvider(() -> c).build()) {
            RdsEndpoint ep = RdsEndpoint.of(HOST, 5432, "app_user");
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<String>> all = new java.util.ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    all.add(pool.submit(() -> {
                        go.await();
                        return tokens.token(ep);
                    }));
                }
                go.countDown();
                java.util.Set<String> distinct = new java.util.HashSet<>();
                for (java.util.concurrent.Future<String> f : all) {
                    distinct.add(f.get(10, java.util.concurrent.TimeUnit.SECONDS));
                }
                assertThat(distinct).hasSize(1);
                assertThat(tokens.signatures()).isEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void badEndpointsAndSettingsAreRefusedWithWhatToCheck() {
        assertThatThrownBy(() -> new RdsEndpoint("", 5432, "u", "us-east-1")).hasMessageContaining("host is missing");
        assertThatThrownBy(() -> new RdsEndpoint("https://db.example", 5432, "u", "us-east-1")).hasMessageContaining("bare host name");
        assertThatThrownBy(() -> new RdsEndpoint("db.example", 0, "u", "us-east-1")).hasMessageContaining("between 1 and 65535");
        assertThatThrownBy(() -> new RdsEndpoint("db.example", 5432, " ", "us-east-1")).hasMessageContaining("database user is missing");
        assertThatThrownBy(() -> RdsEndpoint.of("db.example", 5432, "u")).hasMessageContaining("region for the RDS endpoint db.example is missing");
        assertThatThrownBy(() -> new RdsEndpoint("db.example", 5432, "u", "US_EAST")).hasMessageContaining("'US_EAST', not a region name");
        assertThatThrownBy(() -> RdsEndpoint.fromJdbcUrl("jdbc:h2:mem:x;password=hunter2", "u", null))
                .hasMessageContaining("expected jdbc:<driver>://<host>[:<port>]/<database>");
        assertThatThrownBy(() -> RdsEndpoint.fromJdbcUrl("jdbc:postgresql://db.example/app?password=hunter2", "u", null))
                .hasMessageNotContaining("hunter2");
        assertThat(RdsEndpoint.fromJdbcUrl("jdbc:aws-wrapper:postgresql://db.x.eu-central-1.rds.amazonaws.com/app", "u", null))
                .isEqualTo(new RdsEndpoint("db.x.eu-central-1.rds.amazonaws.com", 5432, "u", "eu-central-1"));
        assertThat(RdsEndpoint.fromJdbcUrl("jdbc:mysql://127.0.0.1/app", "u", "us-east-1").port()).isEqualTo(3306);
        assertThatThrownBy(() -> RdsAuthTokens.builder().margin(Duration.ofMinutes(15))).hasMessageContaining("less than");
        try (RdsAuthTokens tokens = RdsAuthTokens.builder().credentialsProvider(() -> {
            throw software.amazon.awssdk.core.exception.SdkClientException.create("IRSA is not configured");
        }).build()) {
            assertThatThrownBy(() -> tokens.token(HOST, 5432, "app_user", "us-west-2")).isInstanceOf(RdsAuthTokenException.class)
                    .hasMessageContaining("app_user@" + HOST + ":5432").hasMessageContaining("IRSA is not configured");
        }
    }

    private static AwsCredentials creds(String akid, Instant expires) {
        return AwsSessionCredentials.builder().accessKeyId(akid).secretAccessKey("secret-" + akid).sessionToken("token-" + akid)
                .expirationTime(expires).build();
    }
}
