package dev.irsa.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import dev.irsa.testkit.kafka.MskIamAuthenticator;
import dev.irsa.testkit.kafka.MskIamBroker;
import dev.irsa.testkit.kafka.MskIamAuthenticator.Authentication;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An application as users write it: Spring Boot with irsa-spring-starter, an S3 client on the starter's
 * {@code AwsCredentialsProvider} bean, and Spring Kafka's producer, consumer and admin client with irsa-kafka's
 * handler named in {@code spring.kafka.properties.*} (the README's recipe), against a real broker checking MSK IAM and
 * the STS emulator. The pod's identity is configured the two ways the issue found broken: only as {@code irsa.*}
 * Spring properties, and as system properties with a session name only in Spring. Either way there must be one STS
 * call and one principal, S3 and Kafka alike.
 */
class StarterKafkaBrokerTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private static MskIamAuthenticator iam;
    private static MskIamBroker broker;
    private static HttpServer s3;
    /** The access key of each request S3 received. */
    private static final List<String> s3Keys = new CopyOnWriteArrayList<>();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ShopApp {
    }

    @BeforeAll
    static void start() throws Exception {
        var sts = irsa.environment().sts();
        iam = MskIamAuthenticator.builder().region(sts.region()).credentials(sts::issuedCredentials).build();
        broker = MskIamBroker.builder().authenticator(iam).maxReauth(Duration.ofMinutes(10)).start();
        s3 = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        Pattern credential = Pattern.compile("Credential=([A-Z0-9]+)/");
        s3.createContext("/", exchange -> {
            Matcher m = credential.matcher(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            s3Keys.add(m.find() ? m.group(1) : "unsigned");
            byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListAllMyBucketsResult"
                    + " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><ID>owner</ID></Owner><Buckets>"
                    + "<Bucket><Name>shop</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>"
                    + "</Buckets></ListAllMyBucketsResult>").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/xml");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        s3.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) {
            s3.stop(0);
        }
        if (broker != null) {
            broker.close();
        }
        if (iam != null) {
            iam.close();
        }
    }

    @BeforeEach
    void clear() {
        iam.clearAuthentications();
        s3Keys.clear();
    }

    /** Spring Boot's Kafka settings: the README's recipe but for the broker's address and protocol. */
    private static List<String> kafkaProperties(String group) {
        return List.of(
                "spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                "spring.kafka.security.protocol=SASL_PLAINTEXT",
                "spring.kafka.properties.sasl.mechanism=AWS_MSK_IAM",
                "spring.kafka.properties.sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;",
                "spring.kafka.properties.sasl.client.callback.handler.class=dev.irsa.kafka.IrsaMskIamCallbackHandler",
                "spring.kafka.properties.reconnect.backoff.ms=50",
                "spring.kafka.properties.reconnect.backoff.max.ms=200",
                "spring.kafka.consumer.enable-auto-commit=false",
                "spring.kafka.producer.properties.max.block.ms=15000",
                "spring.kafka.consumer.group-id=" + group,
                "spring.kafka.consumer.auto-offset-reset=earliest",
                "irsa.refresh.wait-timeout=30s");
    }

    /** S3, then a record produced, consumed and the topic described: every kind of client, one application. */
    private static void useS3AndKafka(ConfigurableApplicationContext ctx, String topic) throws Exception {
        try (S3Client client = S3Client.builder().credentialsProvider(ctx.getBean(AwsCredentialsProvider.class))
                .endpointOverride(URI.create("http://127.0.0.1:" + s3.getAddress().getPort())).forcePathStyle(true)
                .region(Region.of(irsa.environment().region())).httpClient(UrlConnectionHttpClient.create()).build()) {
            assertThat(client.listBuckets().buckets()).hasSize(1);
        }
        @SuppressWarnings("unchecked")
        KafkaTemplate<Object, Object> template = ctx.getBean(KafkaTemplate.class);
        template.send(topic, "order-1").get();
        assertThat(ctx.getBean(KafkaAdmin.class).describeTopics(topic)).containsKey(topic);
        ConsumerFactory<?, ?> consumers = ctx.getBean(ConsumerFactory.class);
        try (Consumer<?, ?> consumer = consumers.createConsumer()) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<Object> got = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (got.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<?, ?> r : consumer.poll(Duration.ofMillis(200))) {
                    got.add(r.value());
                }
            }
            assertThat(got).containsExactly("order-1");
        }
    }

    /** One STS call; S3 and every Kafka authentication signed with its credentials, as {@code sessionName}. */
    private static void assertOneSession(long stsCallsBefore, String sessionName) {
        IrsaEnvironment env = irsa.environment();
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity") - stsCallsBefore)
                .as("AssumeRoleWithWebIdentity calls: one session for S3 and Kafka").isEqualTo(1);
        List<Authentication> auths = iam.authentications();
        assertThat(auths).isNotEmpty().allSatisfy(a -> {
            assertThat(a.accepted()).as(a.failure()).isTrue();
            assertThat(a.principal()).isEqualTo("arn:aws:sts::" + env.accountId() + ":assumed-role/app-role/" + sessionName);
        });
        assertThat(s3Keys).isNotEmpty().containsOnly(auths.get(0).accessKeyId());
    }

    @Test
    void withIrsaOnlyInSpringPropertiesKafkaSignsWithTheStartersSession() throws Exception {
        IrsaEnvironment env = irsa.environment();
        broker.createTopic("shop-orders");
        long before = env.sts().calls().count("AssumeRoleWithWebIdentity");
        List<String> props = new ArrayList<>(kafkaProperties("shop"));
        props.addAll(List.of("irsa.role-arn=" + env.roleArn(), "irsa.token-file=" + env.tokenFile(),
                "irsa.region=" + env.region(), "irsa.sts-endpoint=" + env.stsEndpoint(), "irsa.session-name=shop-data"));
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(ShopApp.class)
                .web(WebApplicationType.NONE).properties(props.toArray(String[]::new)).run()) {
            useS3AndKafka(ctx, "shop-orders");
        }
        assertOneSession(before, "shop-data");
    }

    @Test
    void withThePodEnvironmentAndASessionNameInSpringKafkaSignsWithTheStartersSession() throws Exception {
        IrsaEnvironment env = irsa.environment();
        broker.createTopic("shop-invoices");
        long before = env.sts().calls().count("AssumeRoleWithWebIdentity");
        List<String> props = new ArrayList<>(kafkaProperties("invoices"));
        props.add("irsa.session-name=shop-invoices");
        try (AutoCloseable pod = podSystemProperties(env);
             ConfigurableApplicationContext ctx = new SpringApplicationBuilder(ShopApp.class)
                     .web(WebApplicationType.NONE).properties(props.toArray(String[]::new)).run()) {
            useS3AndKafka(ctx, "shop-invoices");
        }
        assertOneSession(before, "shop-invoices");
    }

    /** The pod's IRSA settings as system properties (the SDK's names), without a session name; restores on close. */
    private static AutoCloseable podSystemProperties(IrsaEnvironment env) {
        Map<String, String> pod = Map.of("aws.roleArn", env.roleArn(), "aws.webIdentityTokenFile",
                env.tokenFile().toString(), "aws.region", env.region(), "aws.endpointUrlSts", env.stsEndpoint().toString());
        Map<String, String> saved = new HashMap<>();
        pod.forEach((k, v) -> saved.put(k, System.setProperty(k, v)));
        return () -> saved.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
    }

    @Test
    void aKafkaClientBuiltOutsideSpringWithAnotherConfigurationLogsOneWarningNamingTheDifference() throws Exception {
        IrsaEnvironment env = irsa.environment();
        broker.createTopic("shop-audit");
        List<String> props = new ArrayList<>(kafkaProperties("audit"));
        props.add("irsa.session-name=shop-audit");
        String warning = "resolved its IRSA configuration from the pod's environment alone";
        // the capture starts after Spring Boot has set up logging, which detaches the appenders it finds
        try (AutoCloseable pod = podSystemProperties(env);
             ConfigurableApplicationContext ctx = new SpringApplicationBuilder(ShopApp.class)
                     .web(WebApplicationType.NONE).properties(props.toArray(String[]::new)).run();
             LogCapture logs = new LogCapture()) {
            @SuppressWarnings("unchecked")
            KafkaTemplate<Object, Object> template = ctx.getBean(KafkaTemplate.class);
            template.send("shop-audit", "from-spring").get();
            assertThat(logs.lines()).noneMatch(l -> l.contains(warning));

            Map<String, Object> own = new HashMap<>();
            own.put("bootstrap.servers", broker.bootstrapServers());
            own.put("security.protocol", "SASL_PLAINTEXT");
            own.put("sasl.mechanism", "AWS_MSK_IAM");
            own.put("sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;");
            own.put("sasl.client.callback.handler.class", IrsaMskIamCallbackHandler.class.getName());
            for (int i = 0; i < 2; i++) {
                new org.apache.kafka.clients.producer.KafkaProducer<>(own,
                        new org.apache.kafka.common.serialization.StringSerializer(),
                        new org.apache.kafka.common.serialization.StringSerializer()).close();
            }
            assertThat(logs.lines().stream().filter(l -> l.contains(warning)).toList()).singleElement().asString()
                    .startsWith("WARN")
                    .contains("session name (irsa.session-name, AWS_ROLE_SESSION_NAME) (application: 'shop-audit'",
                            "sasl.irsa.credentials.provider")
                    .doesNotContain("role (irsa.role-arn")
                    // the refresh policies differ in the wait timeout: shown where they part, not from their start
                    .contains("waitTimeout=PT30S");
        }
    }
}
