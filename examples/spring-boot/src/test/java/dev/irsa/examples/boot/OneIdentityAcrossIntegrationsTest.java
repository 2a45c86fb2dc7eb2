package dev.irsa.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.kafka.MskIamBroker;
import dev.irsa.testkit.rds.RdsIamDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * The testing recipe (docs: testing, Spring Boot): the example app with what a typical application adds, a Parameter
 * Store config import, S3, Kafka and a data source, started by {@code @SpringBootTest} against the test kit's
 * emulators: STS and the pod's token ({@link IrsaEnvironment}), an MSK broker checking IAM ({@link MskIamBroker}), a
 * database checking IAM tokens ({@link RdsIamDatabase}), and a loopback Parameter Store and S3 ({@link LoopbackAws}).
 * One AssumeRoleWithWebIdentity call serves all of them: each is signed with the same access key, as one principal.
 *
 * <p>Kafka and the data source live in this test's class path only (test scope): the example app ships without a
 * broker or a database, so that AotApplicationIT and {@code java -jar} run it with the pod's environment alone (with
 * them in the app, the packaged app would need a broker and a database to start). An application that uses them has
 * spring-kafka, irsa-kafka, JDBC and irsa-rds at compile scope; the test is the same.
 */
// tag::spring-boot-test-recipe[]
@SpringBootTest(properties = {
        "spring.config.import=aws-parameterstore:/config/irsa-example/", // in application.properties in a real app
        "irsa.session-name=irsa-example", // Spring-only IRSA settings: the import, Kafka and RDS must all see them
        "irsa.rds.enabled=true"})
@DirtiesContext
class OneIdentityAcrossIntegrationsTest {
    static final Map<String, String> SAVED = new HashMap<>();
    static final IrsaEnvironment IRSA; // STS, the OIDC issuer, the pod's token file
    static final LoopbackAws AWS;
    static final MskIamBroker KAFKA;
    static final RdsIamDatabase DB;

    static { // a class that fails to load gets no after-all: if a fixture fails to start, stop those started
        try {
            IRSA = IrsaEnvironment.start();
            AWS = LoopbackAws.start(Map.of("/config/irsa-example/greeting", "hello from Parameter Store"));
            KAFKA = MskIamBroker.builder().sts(IRSA.sts()).start();
            DB = RdsIamDatabase.forEmulator(IRSA.sts()).start();
            // the pod's environment, as the SDK's system properties: a test cannot set environment variables
            Map.of("aws.roleArn", IRSA.roleArn(), "aws.webIdentityTokenFile", IRSA.tokenFile().toString(),
                    "aws.region", IRSA.region(), "aws.endpointUrlSts", IRSA.stsEndpoint().toString(),
                    // read by the config import, before the context exists: @DynamicPropertySource would come too late
                    "spring.cloud.aws.parameterstore.endpoint", AWS.endpoint().toString())
                    .forEach((k, v) -> SAVED.put(k, System.setProperty(k, v)));
            KAFKA.createTopic("orders");
        } catch (RuntimeException | Error e) {
            stop();
            throw e;
        }
    }

    @DynamicPropertySource
    static void endpoints(DynamicPropertyRegistry registry) {
        registry.add("AWS_ENDPOINT_URL_S3", () -> AWS.endpoint().toString());
        // Kafka as on MSK (AWS_MSK_IAM with irsa-kafka's handler), but without TLS on the loopback broker
        registry.add("spring.kafka.bootstrap-servers", KAFKA::bootstrapServers);
        registry.add("spring.kafka.security.protocol", () -> "SASL_PLAINTEXT");
        registry.add("spring.kafka.properties.sasl.mechanism", () -> "AWS_MSK_IAM");
        registry.add("spring.kafka.properties.sasl.jaas.config", () -> "software.amazon.msk.auth.iam.IAMLoginModule required;");
        registry.add("spring.kafka.properties.sasl.client.callback.handler.class", () -> "dev.irsa.kafka.IrsaMskIamCallbackHandler");
        registry.add("spring.kafka.consumer.group-id", () -> "irsa-example");
        registry.add("spring.kafka.consumer.enable-auto-commit", () -> "false");
        // the data source: its URL names an RDS endpoint, so irsa.rds.enabled switches it to IAM tokens
        registry.add("spring.datasource.url", DB::jdbcUrl);
        registry.add("spring.datasource.driver-class-name", DB::driverClassName);
        registry.add("spring.datasource.username", () -> "app_user");
        registry.add("spring.datasource.hikari.maximum-pool-size", () -> "2");
    }

    @Autowired AwsCredentialsProvider credentials;
    @Autowired ExampleApplication.WhoAmI app;
    @Autowired KafkaTemplate<String, String> kafka;
    @Autowired ConsumerFactory<String, String> consumers;
    @Autowired JdbcTemplate jdbc;
    @Value("${greeting}") String greeting;

    @Test
    void oneSessionOnePrincipalForTheImportS3KafkaAndTheDatabase() throws Exception {
        assertThat(greeting).isEqualTo("hello from Parameter Store");
        assertThat(app.buckets()).containsExactly("irsa-example-bucket");
        kafka.send("orders", "order-1").get(15, TimeUnit.SECONDS);
        assertThat(consumeOne("orders")).isEqualTo("order-1");
        assertThat(jdbc.queryForObject("select 1", Integer.class)).isEqualTo(1);

        String key = credentials.resolveCredentials().accessKeyId();
        String principal = IRSA.sts().assumedRoleArnOf(key).orElseThrow();
        assertThat(principal).endsWith(":assumed-role/app-role/irsa-example");
        assertThat(IRSA.sts().calls().count("AssumeRoleWithWebIdentity")).as("one session").isEqualTo(1);
        assertThat(AWS.keysFor("ssm")).isNotEmpty().containsOnly(key);
        assertThat(AWS.keysFor("s3")).isNotEmpty().containsOnly(key);
        assertThat(KAFKA.authentications()).isNotEmpty().allSatisfy(a -> {
            assertThat(a.accepted()).as(a.failure()).isTrue();
            assertThat(a.accessKeyId()).isEqualTo(key);
            assertThat(a.principal()).isEqualTo(principal);
        });
        assertThat(DB.verdicts()).isNotEmpty().allSatisfy(v -> {
            assertThat(v.accepted()).as(v.message()).isTrue();
            assertThat(v.accessKeyId()).isEqualTo(key);
            assertThat(v.assumedRoleArn()).isEqualTo(principal);
        });
    }
    // end::spring-boot-test-recipe[]

    /**
     * After Spring has closed the app (@DirtiesContext; an @AfterAll method would run before): checks that the app
     * released everything it held, then stops the emulators.
     */
    @RegisterExtension
    @SuppressWarnings("deprecation") // CloseableResource: what JUnit 5.12 (Boot 3.5's) closes; 5.13 and 6 still do
    static final BeforeAllCallback STOP_AFTER_THE_APP = context -> {
        long sessions = SessionRegistry.global().size();
        boolean refreshThreads = !irsaThreads().isEmpty();
        context.getStore(ExtensionContext.Namespace.GLOBAL).put(OneIdentityAcrossIntegrationsTest.class,
                (ExtensionContext.Store.CloseableResource) () -> {
                    try {
                        assertReleased(sessions, refreshThreads);
                    } finally {
                        stop();
                    }
                });
    };

    /**
     * One STS call also holds if the config import's bootstrap provider were never handed over (equal settings share a
     * session): a clean hand-over leaves, once the app is closed, the process-wide session registry as it was before
     * the app started, and no refresh thread alive (they die with the last session; a bounded wait for them to end).
     */
    static void assertReleased(long sessionsBefore, boolean refreshThreadsBefore) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && (SessionRegistry.global().size() != sessionsBefore
                || !refreshThreadsBefore && !irsaThreads().isEmpty())) {
            Thread.sleep(20);
        }
        assertThat(SessionRegistry.global().size()).as("IRSA sessions held after the app closed").isEqualTo(sessionsBefore);
        if (!refreshThreadsBefore) {
            assertThat(irsaThreads()).as("IRSA threads alive after the app closed").isEmpty();
        }
    }

    private static List<String> irsaThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("irsa-scheduler") || n.startsWith("irsa-refresh")).toList();
    }

    /** Stops what was started (all of it after the app, or what started before a fixture failed) and restores the JVM. */
    static void stop() {
        SAVED.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
        IllegalStateException failed = null;
        for (AutoCloseable fixture : new AutoCloseable[] {DB, KAFKA, AWS, IRSA}) {
            try {
                if (fixture != null) {
                    fixture.close();
                }
            } catch (Exception e) { // stop the others all the same
                failed = failed != null ? failed : new IllegalStateException("Cannot stop " + fixture, e);
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /** The first record of {@code topic}, read from its start by a consumer of the application's factory. */
    private String consumeOne(String topic) {
        try (Consumer<String, String> consumer = consumers.createConsumer()) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<String> got = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (got.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    got.add(r.value());
                }
            }
            assertThat(got).as("records in " + topic).isNotEmpty();
            return got.get(0);
        }
    }
}
