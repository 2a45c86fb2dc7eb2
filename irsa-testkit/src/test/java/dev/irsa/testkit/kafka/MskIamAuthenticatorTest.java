package dev.irsa.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.IssuedCredentials;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.TreeMap;
import javax.security.auth.login.AppConfigurationEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.AwsS3V4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4PresignerParams;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;

/**
 * The authenticator against requests presigned by the AWS SDK's own SigV4 signer (not by AWS's MSK libraries, which
 * the irsa-kafka suite uses): the AWS_MSK_IAM payload is built from the presigned query as aws-msk-iam-auth builds it.
 */
class MskIamAuthenticatorTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private static SdkHttpRequest presign(IssuedCredentials c, String host, String region, Duration validity) {
        SdkHttpRequest request = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).protocol("https").host(host)
                .encodedPath("/").appendRawQueryParameter("Action", "kafka-cluster:Connect").build();
        return AwsV4HttpSigner.create().sign(r -> r.request(request)
                .identity(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "kafka-cluster")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, validity)).request();
    }

    /** aws-msk-iam-auth's payload: every query parameter under its lower-cased name, plus version, host, user-agent. */
    private static byte[] payload(SdkHttpRequest signed) {
        return payload(signed, Map.of());
    }

    /** The payload with some fields replaced. */
    private static byte[] payload(SdkHttpRequest signed, Map<String, String> changes) {
        Map<String, String> m = new TreeMap<>();
        signed.rawQueryParameters().forEach((k, v) -> m.put(k.toLowerCase(Locale.ROOT), v.get(0)));
        m.put("version", "2020_10_22");
        m.put("host", signed.host());
        m.put("user-agent", "test");
        m.putAll(changes);
        StringBuilder json = new StringBuilder("{");
        m.forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append('"').append(k).append("\":\"")
                .append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"'));
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void acceptsWhatTheEmulatorIssuedAndBoundsTheSessionByIt(IrsaEnvironment env) {
        IssuedCredentials c = env.sts().issueFor(env.roleArn(), "orders", Duration.ofMinutes(5));
        assertThat(env.sts().issuedCredentials(c.accessKeyId())).contains(c);
        assertThat(env.sts().issuedCredentials("ASIAUNKNOWN")).isEmpty();
        try (MskIamAuthenticator iam = MskIamAuthenticator.forEmulator(env.sts())) {
            MskIamAuthenticator.Authentication a = iam.verifyIamPayload(
                    payload(presign(c, "b-1.localhost", env.region(), Duration.ofMinutes(15))), "b-1.localhost");
            assertThat(a.accepted()).as(a.failure()).isTrue();
            assertThat(a.principal()).isEqualTo(c.assumedRoleArn()).endsWith(":assumed-role/app-role/orders");
            assertThat(a.sessionExpiry()).isEqualTo(c.expiration());

            SdkHttpRequest url = presign(c, "kafka." + env.region() + ".amazonaws.com", env.region(), Duration.ofMinutes(15));
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    (url.getUri() + "&User-Agent=test%2F1.0").getBytes(StandardCharsets.UTF_8));
            MskIamAuthenticator.Authentication t = iam.verifyOAuthBearerToken(token);
            assertThat(t.accepted()).as(t.failure()).isTrue();
            assertThat(t.sessionExpiry()).as("the credentials end before the token").isEqualTo(c.expiration());

            SdkHttpRequest tooLong = presign(c, "b-1.localhost", env.region(), Duration.ofMinutes(16));
            assertThat(iam.verifyIamPayload(payload(tooLong), "b-1.localhost").failure()).contains("at most 900 s");
            SdkHttpRequest otherRegion = presign(c, "b-1.localhost", "eu-west-1", Duration.ofMinutes(15));
            assertThat(iam.verifyIamPayload(payload(otherRegion), "b-1.localhost").failure())
                    .contains("scoped to " + env.region() + "/kafka-cluster");
            assertThat(iam.authentications()).hasSize(4);
        }
    }

    /** The same request presigned by a legacy SDK signer at a fixed instant, so two signers differ only in their choices. */
    @SuppressWarnings("deprecation") // Aws4Signer signs the empty body's hash, AwsS3V4Signer UNSIGNED-PAYLOAD
    private static SdkHttpFullRequest presign(BiFunction<SdkHttpFullRequest, Aws4PresignerParams, SdkHttpFullRequest> signer, IssuedCredentials c, String host, String region, Clock clock) {
        SdkHttpFullRequest request = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).protocol("https").host(host)
                .encodedPath("/").appendRawQueryParameter("Action", "kafka-cluster:Connect").build();
        return signer.apply(request, Aws4PresignerParams.builder()
                .awsCredentials(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()))
                .signingName("kafka-cluster").signingRegion(Region.of(region)).signingClockOverride(clock)
                .expirationTime(clock.instant().plus(Duration.ofMinutes(15))).build());
    }

    @Test
    @SuppressWarnings("deprecation")
    void acceptsOnlyTheEmptyBodyHashAsEveryMskSignerSignsIt(IrsaEnvironment env) {
        // aws-msk-iam-auth (both mechanisms) presigns with the SHA-256 of the empty body; UNSIGNED-PAYLOAD is S3's.
        IssuedCredentials c = env.sts().issueFor(env.roleArn(), "orders", Duration.ofMinutes(30));
        Clock at = Clock.fixed(env.sts().clock().instant().minusSeconds(5), ZoneOffset.UTC);
        String broker = "b-1.localhost";
        String oauthHost = "kafka." + env.region() + ".amazonaws.com";
        try (MskIamAuthenticator iam = MskIamAuthenticator.forEmulator(env.sts())) {
            MskIamAuthenticator.Authentication emptyHash = iam.verifyIamPayload(
                    payload(presign(Aws4Signer.create()::presign, c, broker, env.region(), at)), broker);
            assertThat(emptyHash.accepted()).as(emptyHash.failure()).isTrue();
            MskIamAuthenticator.Authentication unsigned = iam.verifyIamPayload(
                    payload(presign(AwsS3V4Signer.create()::presign, c, broker, env.region(), at)), broker);
            assertThat(unsigned.failure()).isNotNull().contains("SIGNATURE_MISMATCH").contains("empty body");

            MskIamAuthenticator.Authentication tokenEmptyHash = iam.verifyOAuthBearerToken(
                    oauthToken(presign(Aws4Signer.create()::presign, c, oauthHost, env.region(), at)));
            assertThat(tokenEmptyHash.accepted()).as(tokenEmptyHash.failure()).isTrue();
            MskIamAuthenticator.Authentication tokenUnsigned = iam.verifyOAuthBearerToken(
                    oauthToken(presign(AwsS3V4Signer.create()::presign, c, oauthHost, env.region(), at)));
            assertThat(tokenUnsigned.failure()).isNotNull().contains("SIGNATURE_MISMATCH");
        }
    }

    @Test
    void refusesEachSignatureMskWouldRefuse(IrsaEnvironment env) {
        IssuedCredentials c = env.sts().issueFor(env.roleArn(), "orders", Duration.ofMinutes(30));
        String broker = "b-1.localhost";
        SdkHttpRequest signed = presign(c, broker, env.region(), Duration.ofMinutes(15));
        String oauthHost = "kafka." + env.region() + ".amazonaws.com";
        try (MskIamAuthenticator iam = MskIamAuthenticator.forEmulator(env.sts())) {
            assertThat(iam.verifyIamPayload(payload(signed), broker).accepted()).isTrue();
            Map<Map<String, String>, String> refusals = Map.of(
                    Map.of("action", "kafka-cluster:DescribeCluster"), "signed action must be kafka-cluster:Connect",
                    Map.of("host", "b-2.localhost"), "is not this broker",
                    Map.of("version", "2019_01_01"), "Unsupported payload version",
                    Map.of("x-amz-security-token", "other"), "security token is not the one issued",
                    Map.of("x-amz-credential", "ASIANOTISSUED0000000/" + signed.rawQueryParameters().get("X-Amz-Credential")
                            .get(0).split("/", 2)[1]), "not issued by this STS",
                    Map.of("x-amz-algorithm", "AWS4-ECDSA-P256-SHA256"), "UNSUPPORTED_ALGORITHM",
                    Map.of("x-amz-signedheaders", "x-amz-date"), "includes host",
                    Map.of("x-amz-expires", "0"), "X-Amz-Expires must be between");
            refusals.forEach((change, why) -> assertThat(iam.verifyIamPayload(payload(signed, change), broker).failure())
                    .as(change.toString()).contains(why));
            assertThat(iam.verifyIamPayload(payload(signed), broker).accepted()).as("only the change was refused").isTrue();

            SdkHttpRequest url = presign(c, oauthHost, env.region(), Duration.ofMinutes(15));
            String twice = Base64.getUrlEncoder().withoutPadding().encodeToString((url.getUri() + "&X-Amz-Expires=60")
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(iam.verifyOAuthBearerToken(twice).failure()).contains("X-Amz-Expires appears more than once");
            assertThat(iam.verifyOAuthBearerToken(oauthToken(presign(c, "kafka.eu-west-1.amazonaws.com", env.region(),
                    Duration.ofMinutes(15)))).failure()).contains("must be https://" + oauthHost);

        }
        try (MskIamAuthenticator later = MskIamAuthenticator.builder().sts(env.sts())
                .clock(Clock.offset(env.sts().clock(), Duration.ofMinutes(31))).build()) {
            assertThat(later.verifyIamPayload(payload(presign(c, broker, env.region(), Duration.ofMinutes(15))), broker)
                    .failure()).contains("credentials expired at " + c.expiration());
        }
    }

    private static String oauthToken(SdkHttpRequest url) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                (url.getUri() + "&User-Agent=test%2F1.0").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void brokersFindItByIdUntilItIsClosed(IrsaEnvironment env) {
        MskIamAuthenticator iam = MskIamAuthenticator.forEmulator(env.sts());
        Map<String, String> config = iam.brokerListenerConfig("SASL");
        assertThat(config).containsEntry("listener.name.sasl.sasl.enabled.mechanisms", "AWS_MSK_IAM,OAUTHBEARER")
                .containsEntry("listener.name.sasl.aws_msk_iam.sasl.server.callback.handler.class",
                        MskIamServerCallbackHandler.class.getName())
                .containsEntry("listener.name.sasl.oauthbearer.sasl.server.callback.handler.class",
                        MskOAuthBearerValidatorCallbackHandler.class.getName());
        assertThat(config.get("listener.name.sasl.aws_msk_iam.sasl.jaas.config")).contains("authenticator=\"" + iam.id() + "\"");
        List<AppConfigurationEntry> jaas = List.of(new AppConfigurationEntry(MskIamServerLoginModule.class.getName(),
                AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of("authenticator", iam.id())));
        new MskIamServerCallbackHandler().configure(Map.of(), "AWS_MSK_IAM", jaas);
        iam.close();
        assertThatThrownBy(() -> new MskOAuthBearerValidatorCallbackHandler().configure(Map.of(), "OAUTHBEARER", jaas))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("No MskIamAuthenticator '" + iam.id() + "'")
                .hasMessageContaining("brokerListenerConfig");
    }
}
