package dev.irsa.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.kafka.internal.MskAuthToken;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.IssuedCredentials;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import dev.irsa.testkit.kafka.MskIamAuthenticator;
import dev.irsa.testkit.kafka.MskIamAuthenticator.Authentication;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.msk.auth.iam.internals.AWS4SignedPayloadGenerator;
import software.amazon.msk.auth.iam.internals.AuthenticationRequestParams;

/**
 * The test kit's MSK IAM checks against what the real signers produce: AWS's {@code aws-msk-iam-auth} payload
 * generator for {@code AWS_MSK_IAM}, and our {@link MskAuthToken} for {@code OAUTHBEARER}; then each thing MSK checks
 * is broken in turn.
 */
class MskIamAuthenticatorTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private MskIamAuthenticator iam;
    private IssuedCredentials issued;
    private AwsSessionCredentials credentials;

    @BeforeEach
    void setUp() {
        IrsaEnvironment env = irsa.environment();
        iam = MskIamAuthenticator.forEmulator(env.sts());
        issued = env.sts().issueFor(env.roleArn(), "orders-app", Duration.ofHours(1));
        credentials = sdk(issued);
    }

    @AfterEach
    void tearDown() {
        iam.close();
    }

    private static AwsSessionCredentials sdk(IssuedCredentials c) {
        return AwsSessionCredentials.builder().accessKeyId(c.accessKeyId()).secretAccessKey(c.secretAccessKey())
                .sessionToken(c.sessionToken()).expirationTime(c.expiration()).build();
    }

    private static String payload(String host, AwsSessionCredentials c) throws Exception {
        return new String(new AWS4SignedPayloadGenerator().signedPayload(
                AuthenticationRequestParams.create(host, c, "test-agent")), StandardCharsets.UTF_8);
    }

    private Authentication iam(String payload, String brokerHost) {
        return iam.verifyIamPayload(payload.getBytes(StandardCharsets.UTF_8), brokerHost);
    }

    @Test
    void awsMskIamPayloadOfAwsClientIsAcceptedAndTheSessionEndsWithTheCredentials() throws Exception {
        Authentication a = iam(payload("localhost", credentials), "localhost");
        assertThat(a.accepted()).as(a.failure()).isTrue();
        assertThat(a.principal()).isEqualTo("arn:aws:sts::111122223333:assumed-role/app-role/orders-app");
        assertThat(a.accessKeyId()).isEqualTo(issued.accessKeyId());
        assertThat(a.sessionExpiry()).isEqualTo(issued.expiration());
        assertThat(iam.authentications()).containsExactly(a);
    }

    /** With a minimum session, credentials about to expire are refused as MSK refuses them: "Session too short". */
    @Test
    void aMinimumSessionRefusesCredentialsAboutToExpireWithSessionTooShort() throws Exception {
        IrsaEnvironment env = irsa.environment();
        try (MskIamAuthenticator strict = MskIamAuthenticator.builder().sts(env.sts())
                .minimumSession(Duration.ofMinutes(5)).build()) {
            AwsSessionCredentials soon = sdk(env.sts().issueFor(env.roleArn(), "orders-app", Duration.ofMinutes(4)));
            Authentication refused = strict.verifyIamPayload(payload("localhost", soon).getBytes(StandardCharsets.UTF_8),
                    "localhost");
            assertThat(refused.accepted()).isFalse();
            assertThat(refused.failure()).startsWith("Session too short").doesNotContain(soon.secretAccessKey());
            Authentication token = strict.verifyOAuthBearerToken(
                    MskAuthToken.sign(soon, env.region(), Clock.systemUTC()).value());
            assertThat(token.failure()).startsWith("Session too short");
            Authentication fresh = strict.verifyIamPayload(payload("localhost", credentials).getBytes(StandardCharsets.UTF_8),
                    "localhost");
            assertThat(fresh.accepted()).as(fresh.failure()).isTrue();
            assertThat(iam(payload("localhost", soon), "localhost").accepted()).as("no minimum by default").isTrue();
        }
    }

    @Test
    void awsMskIamRefusesAnotherHostActionRegionOrSignature() throws Exception {
        String p = payload("localhost", credentials);
        assertThat(iam(p, "broker-2").failure()).contains("is not this broker");
        assertThat(iam(p.replace("kafka-cluster:Connect", "kafka-cluster:AlterCluster"), "localhost").failure())
                .contains("must be kafka-cluster:Connect");
        String euHost = "b-1.orders.abc123.c2.kafka.eu-west-1.amazonaws.com";
        assertThat(iam(payload(euHost, credentials), euHost).failure()).contains("scoped to us-west-2/kafka-cluster");
        String sig = p.replaceAll(".*\"x-amz-signature\":\"([0-9a-f]+)\".*", "$1");
        String flipped = (sig.charAt(0) == '0' ? "1" : "0") + sig.substring(1);
        assertThat(iam(p.replace(sig, flipped), "localhost").failure()).startsWith("SIGNATURE_MISMATCH");
        assertThat(iam("not json", "localhost").failure()).contains("not a JSON object");
        assertThat(iam.authentications()).hasSize(5).noneMatch(Authentication::accepted)
                .allSatisfy(a -> assertThat(a.failure()).doesNotContain(issued.secretAccessKey(), issued.sessionToken()));
    }

    @Test
    void oauthBearerTokenHasMsksFormatAndIsAccepted() {
        MskAuthToken token = MskAuthToken.sign(credentials, "us-west-2", Clock.systemUTC());
        assertThat(token.value()).matches("[A-Za-z0-9_-]+"); // base64url, no padding
        String url = new String(Base64.getUrlDecoder().decode(token.value()), StandardCharsets.UTF_8);
        assertThat(url).startsWith("https://kafka.us-west-2.amazonaws.com/?Action=kafka-cluster%3AConnect&")
                .contains("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Expires=900", "X-Amz-SignedHeaders=host",
                        "X-Amz-Security-Token=", "X-Amz-Credential=" + issued.accessKeyId() + "%2F")
                .containsPattern("&User-Agent=irsa-kafka%2F[^&]+$");
        assertThat(token.lifetimeMs() - token.startTimeMs()).isEqualTo(Duration.ofMinutes(15).toMillis());
        assertThat(token.principalName()).isEqualTo("kafka-cluster");
        assertThat(token.toString()).doesNotContain(token.value());

        Authentication a = iam.verifyOAuthBearerToken(token.value());
        assertThat(a.accepted()).as(a.failure()).isTrue();
        assertThat(a.principal()).isEqualTo("arn:aws:sts::111122223333:assumed-role/app-role/orders-app");
        assertThat(a.sessionExpiry()).isEqualTo(Instant.ofEpochMilli(token.lifetimeMs()));
    }

    @Test
    void oauthBearerTokenNeverOutlivesItsCredentials() {
        IrsaEnvironment env = irsa.environment();
        IssuedCredentials shortLived = env.sts().issueFor(env.roleArn(), "orders-app", Duration.ofSeconds(90));
        MskAuthToken token = MskAuthToken.sign(sdk(shortLived), "us-west-2", Clock.systemUTC());
        assertThat(Instant.ofEpochMilli(token.lifetimeMs())).isBeforeOrEqualTo(shortLived.expiration())
                .isAfter(shortLived.expiration().minusSeconds(2));
        Authentication a = iam.verifyOAuthBearerToken(token.value());
        assertThat(a.accepted()).as(a.failure()).isTrue();
        assertThat(a.sessionExpiry()).isBeforeOrEqualTo(shortLived.expiration());
    }

    @Test
    void oauthBearerRefusesAnotherRegionATamperedTokenOrForeignCredentials() {
        assertThat(iam.verifyOAuthBearerToken(MskAuthToken.sign(credentials, "eu-west-1", Clock.systemUTC()).value())
                .failure()).contains("must be https://kafka.us-west-2.amazonaws.com/");
        String url = new String(Base64.getUrlDecoder().decode(
                MskAuthToken.sign(credentials, "us-west-2", Clock.systemUTC()).value()), StandardCharsets.UTF_8);
        String longer = url.replace("X-Amz-Expires=900", "X-Amz-Expires=3600");
        assertThat(iam.verifyOAuthBearerToken(b64(longer)).failure()).startsWith("SIGNATURE_MISMATCH");
        var foreign = AwsSessionCredentials.create("ASIAFOREIGNKEY000001", "secret", "token");
        assertThat(iam.verifyOAuthBearerToken(MskAuthToken.sign(foreign, "us-west-2", Clock.systemUTC()).value())
                .failure()).contains("not issued by this STS");
        assertThat(iam.verifyOAuthBearerToken("%%%").failure()).contains("not a base64url-encoded URL");
        // signed two hours ago: past its 15 minutes
        MskAuthToken old = MskAuthToken.sign(credentials, "us-west-2",
                Clock.fixed(Instant.now().minus(Duration.ofHours(2)), java.time.ZoneOffset.UTC));
        assertThat(iam.verifyOAuthBearerToken(old.value()).failure()).startsWith("EXPIRED");
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
