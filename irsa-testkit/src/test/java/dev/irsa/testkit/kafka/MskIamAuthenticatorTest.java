package dev.irsa.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.IssuedCredentials;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.security.auth.login.AppConfigurationEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
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
        Map<String, String> m = new TreeMap<>();
        signed.rawQueryParameters().forEach((k, v) -> m.put(k.toLowerCase(Locale.ROOT), v.get(0)));
        m.put("version", "2020_10_22");
        m.put("host", signed.host());
        m.put("user-agent", "test");
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
