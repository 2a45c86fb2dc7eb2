package dev.irsa.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.IssuedCredentials;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import dev.irsa.testkit.kafka.MskIamAuthenticator;
import dev.irsa.testkit.kafka.MskIamAuthenticator.Authentication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real Kafka producers and consumers authenticating through irsa-kafka to a real broker (KRaft, in this JVM) whose
 * SASL server checks MSK IAM as MSK does, against the credentials the STS emulator issued. Every log line of the run
 * is captured and checked for secrets.
 */
class MskIamBrokerTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private static final Duration MAX_REAUTH = Duration.ofMinutes(10);
    private static MskIamAuthenticator iam;
    private static MskBroker broker;
    private static LogCapture logs;
    /** Every secret this suite saw: none may appear in any log line. */
    private static final List<String> secrets = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        logs = new LogCapture();
        iam = MskIamAuthenticator.forEmulator(irsa.environment().sts());
        broker = MskBroker.start(iam, MAX_REAUTH);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        try {
            if (broker != null) {
                broker.close();
            }
            if (iam != null) {
                iam.close();
            }
        } finally {
            String all = logs.all();
            logs.close();
            assertThat(secrets).isNotEmpty();
            for (String s : secrets) {
                assertThat(all).as("a secret in the logs").doesNotContain(s);
            }
        }
    }

    @BeforeEach
    void clear() {
        iam.clearAuthentications();
    }

    private static IrsaCredentialsProvider provider(IrsaEnvironment env, String sessionName) {
        IrsaCredentialsProvider.Builder b = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).shared(false);
        if (sessionName != null) {
            b.roleSessionName(sessionName);
        }
        IrsaCredentialsProvider p = b.build();
        var c = (software.amazon.awssdk.auth.credentials.AwsSessionCredentials) p.resolveCredentials();
        secrets.add(c.secretAccessKey());
        secrets.add(c.sessionToken());
        return p;
    }

    static Map<String, Object> clientConfig(String mechanism, IrsaCredentialsProvider provider) {
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", broker.bootstrap());
        m.put("security.protocol", "SASL_PLAINTEXT");
        m.put("sasl.mechanism", mechanism);
        if (mechanism.equals("AWS_MSK_IAM")) {
            m.put("sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;");
            m.put("sasl.client.callback.handler.class", IrsaMskIamCallbackHandler.class.getName());
        } else {
            m.put("sasl.jaas.config", "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required"
                    + " region=\"us-west-2\";");
            m.put("sasl.login.callback.handler.class", IrsaMskOAuthBearerLoginCallbackHandler.class.getName());
        }
        m.put("irsa.credentials.provider", provider);
        m.put("reconnect.backoff.ms", "50");
        m.put("reconnect.backoff.max.ms", "200");
        return m;
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> config) {
        Map<String, Object> m = new HashMap<>(config);
        m.put("max.block.ms", "15000");
        return new KafkaProducer<>(m, new StringSerializer(), new StringSerializer());
    }

    private static List<String> consume(Map<String, Object> config, String topic, int count) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<String> got = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (got.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    got.add(r.value());
                }
            }
            return got;
        }
    }

    private void roundTrip(String mechanism, String topic) throws Exception {
        broker.createTopic(topic);
        IrsaEnvironment env = irsa.environment();
        try (IrsaCredentialsProvider p = provider(env, "orders-app")) {
            Map<String, Object> config = clientConfig(mechanism, p);
            try (KafkaProducer<String, String> producer = producer(config)) {
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, mechanism + "-" + i)).get();
                }
            }
            assertThat(consume(config, topic, 3)).containsExactly(mechanism + "-0", mechanism + "-1", mechanism + "-2");
        }
        List<Authentication> auths = iam.authentications();
        assertThat(auths).isNotEmpty().allSatisfy(a -> {
            assertThat(a.accepted()).as(a.failure()).isTrue();
            assertThat(a.mechanism()).isEqualTo(mechanism);
            assertThat(a.principal()).isEqualTo("arn:aws:sts::111122223333:assumed-role/app-role/orders-app");
            assertThat(a.sessionExpiry()).isBeforeOrEqualTo(a.credentialsExpiry());
        });
    }

    @Test
    void awsMskIamProducerAndConsumerRoundTrip() throws Exception {
        roundTrip("AWS_MSK_IAM", "iam-orders");
    }

    @Test
    void oauthBearerProducerAndConsumerRoundTrip() throws Exception {
        roundTrip("OAUTHBEARER", "oauth-orders");
    }
}
