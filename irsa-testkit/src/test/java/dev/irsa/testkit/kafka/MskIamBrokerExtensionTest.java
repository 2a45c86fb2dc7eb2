package dev.irsa.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.IssuedCredentials;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.callback.Callback;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerTokenCallback;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;

/**
 * The broker fixture, through its JUnit extension: a real Kafka producer authenticates with OAUTHBEARER (MSK's
 * presigned-URL token, made here with the SDK's signer) as the role the STS emulator issued credentials for; a
 * client with credentials the emulator did not issue is refused; the log is cleared between tests.
 */
class MskIamBrokerExtensionTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();
    @RegisterExtension
    static final MskIamBrokerExtension kafka = MskIamBrokerExtension.forEmulator(() -> irsa.environment().sts());

    private static MskIamBroker shared;

    @BeforeAll
    static void topic(MskIamBroker broker) {
        shared = broker;
        broker.createTopic("orders");
        broker.createTopic("orders"); // exists: left as it is
    }

    /** Hands Kafka's OAUTHBEARER login the token of {@link #credentials}. */
    public static final class PresignedTokenHandler implements AuthenticateCallbackHandler {
        static volatile IssuedCredentials credentials;
        static volatile String region;

        @Override
        public void configure(Map<String, ?> configs, String mechanism, List<AppConfigurationEntry> entries) {
        }

        @Override
        public void handle(Callback[] callbacks) {
            IssuedCredentials c = credentials;
            var request = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).protocol("https")
                    .host("kafka." + region + ".amazonaws.com").encodedPath("/")
                    .appendRawQueryParameter("Action", "kafka-cluster:Connect").build();
            var signed = AwsV4HttpSigner.create().sign(r -> r.request(request)
                    .identity(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()))
                    .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "kafka-cluster")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                    .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                    .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(15))).request();
            String value = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    (signed.getUri() + "&User-Agent=testkit").getBytes(StandardCharsets.UTF_8));
            long now = System.currentTimeMillis();
            for (Callback callback : callbacks) {
                if (!(callback instanceof OAuthBearerTokenCallback cb)) {
                    continue; // SASL extensions: none
                }
                cb.token(new OAuthBearerToken() {
                    public String value() {
                        return value;
                    }

                    public Set<String> scope() {
                        return Set.of();
                    }

                    public long lifetimeMs() {
                        return now + Duration.ofMinutes(15).toMillis();
                    }

                    public String principalName() {
                        return c.accessKeyId();
                    }

                    public Long startTimeMs() {
                        return now;
                    }
                });
            }
        }

        @Override
        public void close() {
        }
    }

    private static KafkaProducer<String, String> producer(MskIamBroker broker, IssuedCredentials c, String region) {
        PresignedTokenHandler.credentials = c;
        PresignedTokenHandler.region = region;
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", broker.bootstrapServers());
        m.put("security.protocol", "SASL_PLAINTEXT");
        m.put("sasl.mechanism", "OAUTHBEARER");
        m.put("sasl.jaas.config", "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;");
        m.put("sasl.login.callback.handler.class", PresignedTokenHandler.class.getName());
        m.put("max.block.ms", "15000");
        return new KafkaProducer<>(m, new StringSerializer(), new StringSerializer());
    }

    @Test
    void aClientSigningWithIssuedCredentialsIsAuthenticatedAsTheirRole(MskIamBroker broker, IrsaEnvironment env)
            throws Exception {
        assertThat(broker).isSameAs(shared);
        assertThat(broker.authentications()).isEmpty();
        IssuedCredentials c = env.sts().issueFor(env.roleArn(), "kit", Duration.ofMinutes(30));
        try (KafkaProducer<String, String> producer = producer(broker, c, env.region())) {
            producer.send(new ProducerRecord<>("orders", "one")).get();
        }
        assertThat(broker.authentications()).isNotEmpty().allSatisfy(a -> {
            assertThat(a.accepted()).as(a.failure()).isTrue();
            assertThat(a.mechanism()).isEqualTo(MskIamAuthenticator.OAUTHBEARER);
            assertThat(a.principal()).isEqualTo("arn:aws:sts::" + env.sts().accountId() + ":assumed-role/app-role/kit");
        });
    }

    @Test
    void credentialsTheEmulatorDidNotIssueAreRefused(MskIamBroker broker, IrsaEnvironment env) {
        assertThat(broker.authentications()).as("cleared before each test").isEmpty();
        try (IrsaEnvironment other = IrsaEnvironment.start()) {
            IssuedCredentials foreign = other.sts().issueFor(other.roleArn(), "kit", Duration.ofMinutes(30));
            try (KafkaProducer<String, String> producer = producer(broker, foreign, env.region())) {
                assertThatThrownBy(() -> producer.partitionsFor("orders")).isInstanceOf(SaslAuthenticationException.class);
            }
        }
        assertThat(broker.authentications()).isNotEmpty().noneMatch(MskIamAuthenticator.Authentication::accepted);
    }

    @Test
    void withoutAnStsEmulatorOrAuthenticatorItSaysWhatToSet() {
        assertThatThrownBy(() -> MskIamBroker.builder().start()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sts(env.sts())");
    }
}
