package dev.irsa.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import dev.irsa.testkit.kafka.MskIamAuthenticator;
import dev.irsa.testkit.kafka.MskIamBroker;
import dev.irsa.testkit.kafka.MskIamBrokerExtension;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/testing.md's "Testing a Kafka application" example, compiled and run as the page shows it (the page's block is
 * checked against the tagged region by {@link DocsSnippetsTest}).
 */
class TestKitBrokerReadmeTest {
    // tag::kafka-test[]
    @RegisterExtension
    @Order(1)            // JUnit's default order of extension fields is deterministic but hidden: say it
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();
    @RegisterExtension
    @Order(2)            // after the emulator: it starts on the emulator's STS
    static final MskIamBrokerExtension kafka = MskIamBrokerExtension.forEmulator(() -> irsa.environment().sts());

    @Test
    void sendsAsThePodsRole(MskIamBroker broker, IrsaEnvironment env) throws Exception {
        broker.createTopic("orders");
        try (IrsaCredentialsProvider credentials = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).build()) {
            Map<String, Object> props = Map.of("bootstrap.servers", broker.bootstrapServers(),
                    "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "AWS_MSK_IAM",
                    "sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;",
                    "sasl.client.callback.handler.class", "dev.irsa.kafka.IrsaMskIamCallbackHandler",
                    "sasl.irsa.credentials.provider", credentials);   // you keep owning (and closing) it
            try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("orders", "one")).get();
            }
        }
        assertThat(broker.authentications()).isNotEmpty().allSatisfy(a -> {
            assertThat(a.accepted()).isTrue();
            assertThat(a.principal()).startsWith("arn:aws:sts::" + env.sts().accountId() + ":assumed-role/app-role/");
        });
    }
    // end::kafka-test[]
}
