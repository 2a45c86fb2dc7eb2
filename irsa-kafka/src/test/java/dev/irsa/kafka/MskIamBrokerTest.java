package dev.irsa.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.IssuedCredentials;
import dev.irsa.testkit.PodIdentityEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import dev.irsa.testkit.kafka.MskIamAuthenticator;
import dev.irsa.testkit.kafka.MskIamAuthenticator.Authentication;
import dev.irsa.testkit.kafka.MskIamBroker;
import dev.irsa.testkit.kafka.MskIamBrokerExtension;
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
    /** EKS Pod Identity (its own STS): the broker accepts what either STS issued. */
    private static PodIdentityEnvironment podIdentity;
    private static LogCapture logs;
    /** Every secret this suite saw: none may appear in any log line. */
    private static final List<String> secrets = new ArrayList<>();

    /** The test kit's broker, checking what either STS issued; it clears the authentications before each test. */
    @RegisterExtension
    static final MskIamBrokerExtension kafka = MskIamBrokerExtension.with(() -> {
        logs = new LogCapture();
        podIdentity = PodIdentityEnvironment.start();
        var sts = irsa.environment().sts();
        iam = MskIamAuthenticator.builder().region(sts.region())
                .credentials(akid -> sts.issuedCredentials(akid).or(() -> podIdentity.sts().issuedCredentials(akid)))
                .build();
        return MskIamBroker.builder().authenticator(iam).maxReauth(MAX_REAUTH);
    });
    private static MskIamBroker broker;

    @BeforeAll
    static void broker(MskIamBroker started) {
        broker = started;
    }

    @AfterAll
    static void checkLogs() throws Exception {
        try {
            // the broker stops after this (with the class's extension context); the authenticator is ours
            if (iam != null) {
                iam.close();
            }
            if (podIdentity != null) {
                podIdentity.close();
            }
        } finally {
            String all = logs.all();
            logs.close();
            assertThat(secrets).isNotEmpty();
            for (String s : secrets) {
                assertThat(all).as("a secret in the logs").doesNotContain(s);
            }
            // no OAUTHBEARER token (each starts with the base64url of "https://kafka.") nor AWS_MSK_IAM payload either
            assertThat(all).doesNotContain(java.util.Base64.getUrlEncoder().withoutPadding()
                    .encodeToString("https://kafka.".getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16))
                    .doesNotContainIgnoringCase("x-amz-signature").doesNotContainIgnoringCase("x-amz-security-token");
        }
    }

    /**
     * A loaded 2-core machine can take seconds over the JVM's first STS exchange: give it time. The 12-s credentials
     * some tests use are refreshed every few seconds, sooner than the minimum refresh interval allows: it is off.
     */
    private static final dev.irsa.core.RefreshPolicy POLICY = dev.irsa.core.RefreshPolicy.builder()
            .waitTimeout(Duration.ofSeconds(30)).minimumRefreshInterval(Duration.ZERO).build();

    private static IrsaCredentialsProvider provider(IrsaEnvironment env, String sessionName) {
        IrsaCredentialsProvider.Builder b = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                .refreshPolicy(POLICY)
                .shared(false);
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
        m.put("bootstrap.servers", broker.bootstrapServers());
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
        m.put("sasl.irsa.credentials.provider", provider);
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

    /**
     * A client moving from AWS's handlers keeps its JAAS line: {@code awsRoleArn} (a role in another account) with
     * {@code awsRoleSessionName}. Both mechanisms authenticate to the broker as that role, assumed from the pod's,
     * never as the pod's own role.
     */
    @Test
    void theRoleInAwsOwnJaasLineIsThePrincipalTheBrokerAuthenticates() throws Exception {
        IrsaEnvironment env = irsa.environment();
        String role = env.sts().createRole("444455556666", "msk-cross-account", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                 "Principal":{"AWS":"%s"},"Action":"sts:AssumeRole"}]}""".formatted(env.roleArn()), Duration.ofHours(1));
        String options = " awsRoleArn=\"" + role + "\" awsRoleSessionName=\"orders-xacct\";";
        broker.createTopic("cross-account");
        try (IrsaCredentialsProvider p = provider(env, "orders-app")) {
            Map<String, Object> iamConfig = clientConfig("AWS_MSK_IAM", p);
            iamConfig.put("sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required" + options);
            Map<String, Object> oauthConfig = clientConfig("OAUTHBEARER", p);
            oauthConfig.put("sasl.jaas.config", "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
                    + " required region=\"us-west-2\"" + options);
            try (KafkaProducer<String, String> viaIam = producer(iamConfig);
                 KafkaProducer<String, String> viaOAuth = producer(oauthConfig)) {
                viaIam.send(new ProducerRecord<>("cross-account", "iam")).get();
                viaOAuth.send(new ProducerRecord<>("cross-account", "oauth")).get();
            }
            assertThat(consume(iamConfig, "cross-account", 2)).containsExactlyInAnyOrder("iam", "oauth");
        }
        List<Authentication> auths = iam.authentications();
        for (Authentication a : auths) {
            env.sts().issuedCredentials(a.accessKeyId()).ifPresent(c -> {
                secrets.add(c.secretAccessKey());
                secrets.add(c.sessionToken());
            });
        }
        assertThat(auths.stream().map(Authentication::mechanism).distinct()).contains("AWS_MSK_IAM", "OAUTHBEARER");
        assertThat(auths).allSatisfy(a -> {
            assertThat(a.accepted()).as(a.failure()).isTrue();
            assertThat(a.principal()).isEqualTo("arn:aws:sts::444455556666:assumed-role/msk-cross-account/orders-xacct");
        });
    }

    private static double metric(KafkaProducer<?, ?> producer, String name) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
            if (e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics")) {
                total += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return total;
    }

    private static List<Authentication> accepted(String mechanism) {
        return iam.authentications().stream().filter(a -> a.mechanism().equals(mechanism) && a.accepted()).toList();
    }

    /**
     * Short-lived credentials (12 s): the broker bounds each session by them, so both clients re-authenticate on
     * their open connections, and across the provider's background refresh sign with new keys, under the same
     * principal (the default, derived session name) and without a single failed send or re-authentication.
     */
    @Test
    void bothMechanismsReauthenticateAcrossACredentialRefreshUnderTheSamePrincipal() throws Exception {
        IrsaEnvironment env = irsa.environment();
        env.sts().credentialLifetime(Duration.ofSeconds(12));
        broker.createTopic("refresh");
        try (IrsaCredentialsProvider p = provider(env, null);
             KafkaProducer<String, String> viaIam = producer(clientConfig("AWS_MSK_IAM", p));
             KafkaProducer<String, String> viaOAuth = producer(clientConfig("OAUTHBEARER", p))) {
            int sent = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
            while (System.nanoTime() < deadline) {
                viaIam.send(new ProducerRecord<>("refresh", "iam-" + sent)).get();
                viaOAuth.send(new ProducerRecord<>("refresh", "oauth-" + sent)).get();
                sent++;
                boolean done = metric(viaIam, "successful-reauthentication-total") >= 1
                        && metric(viaOAuth, "successful-reauthentication-total") >= 1
                        && accepted("AWS_MSK_IAM").stream().map(Authentication::accessKeyId).distinct().count() >= 2
                        && accepted("OAUTHBEARER").stream().map(Authentication::accessKeyId).distinct().count() >= 2;
                if (done) {
                    break;
                }
                Thread.sleep(200);
            }
            for (KafkaProducer<String, String> producer : List.of(viaIam, viaOAuth)) {
                assertThat(metric(producer, "successful-reauthentication-total")).as("re-authentications").isGreaterThanOrEqualTo(1);
                assertThat(metric(producer, "failed-reauthentication-total")).isZero();
            }
            var c = (software.amazon.awssdk.auth.credentials.AwsSessionCredentials) p.resolveCredentials();
            secrets.add(c.secretAccessKey());
            secrets.add(c.sessionToken());
            assertThat(consume(clientConfig("AWS_MSK_IAM", p), "refresh", 2 * sent)).hasSize(2 * sent);
        }
        assertThat(iam.authentications()).allSatisfy(a -> assertThat(a.accepted()).as(a.failure()).isTrue());
        for (String mechanism : List.of("AWS_MSK_IAM", "OAUTHBEARER")) {
            List<Authentication> auths = accepted(mechanism);
            assertThat(auths.stream().map(Authentication::accessKeyId).distinct()).as(mechanism + " keys").hasSizeGreaterThanOrEqualTo(2);
            assertThat(auths.stream().map(Authentication::principal).distinct()).as(mechanism + " principals")
                    .singleElement().satisfies(pr -> assertThat(pr).startsWith("arn:aws:sts::111122223333:assumed-role/app-role/"));
            assertThat(auths).allSatisfy(a -> assertThat(a.sessionExpiry()).isBeforeOrEqualTo(a.credentialsExpiry()));
        }
    }

    /**
     * Kafka shares one OAUTHBEARER login (one instance of our login handler) among the clients whose {@code sasl.*}
     * properties are equal: two clients handing over their own providers, under different session names, must each
     * authenticate as their own principal. (Under the former name {@code irsa.credentials.provider} the second client
     * silently used the first one's provider.)
     */
    @Test
    void twoOAuthBearerClientsWithTheirOwnProvidersAuthenticateAsTheirOwnPrincipals() throws Exception {
        broker.createTopic("two-clients");
        IrsaEnvironment env = irsa.environment();
        try (IrsaCredentialsProvider billing = provider(env, "billing-app");
             IrsaCredentialsProvider audit = provider(env, "audit-app");
             KafkaProducer<String, String> first = producer(clientConfig("OAUTHBEARER", billing));
             KafkaProducer<String, String> second = producer(clientConfig("OAUTHBEARER", audit))) {
            first.send(new ProducerRecord<>("two-clients", "billing")).get();
            second.send(new ProducerRecord<>("two-clients", "audit")).get();
        }
        assertThat(accepted("OAUTHBEARER").stream().map(Authentication::principal).distinct().sorted())
                .containsExactly("arn:aws:sts::111122223333:assumed-role/app-role/audit-app",
                        "arn:aws:sts::111122223333:assumed-role/app-role/billing-app");
    }

    private static List<Throwable> concat(List<Throwable> a, List<Throwable> b) {
        List<Throwable> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static double metric(Map<MetricName, ? extends Metric> metrics, String group, String name) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            if (e.getKey().name().equals(name) && e.getKey().group().equals(group)) {
                total += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return total;
    }

    /**
     * EKS Pod Identity names each role session {@code eks-<cluster>-<pod>-<random>}, anew at every credential fetch,
     * so the principal changes at each refresh and the broker refuses the next re-authentication of every connection
     * ("Cannot change principals"), as MSK does. What a producer and a (classic) consumer then do, as documented in
     * the README: the refused re-authentication closes the connection; the consumer's next poll() throws
     * SaslAuthenticationException; the client connects again and authenticates afresh as the new principal, and both
     * clients keep working. 12-s credentials, so refreshes come every few seconds.
     */
    @Test
    void withPodIdentityEachRefreshChangesThePrincipalAndTheClientsReconnect() throws Exception {
        podIdentity.agent().credentialLifetime(Duration.ofSeconds(12));
        broker.createTopic("pod-identity");
        List<Throwable> producerSaw = new ArrayList<>();
        List<Throwable> consumerSaw = new ArrayList<>();
        int sentAfter = 0;
        int receivedAfter = 0;
        try (IrsaCredentialsProvider p = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(podIdentity.podEnvironment()))
                .refreshPolicy(POLICY)
                .shared(false).build()) {
            var c = (software.amazon.awssdk.auth.credentials.AwsSessionCredentials) p.resolveCredentials();
            secrets.add(c.secretAccessKey());
            secrets.add(c.sessionToken());
            Map<String, Object> config = clientConfig("AWS_MSK_IAM", p);
            try (KafkaProducer<String, String> producer = producer(config);
                 KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
                TopicPartition tp = new TopicPartition("pod-identity", 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
                boolean bothRefused = false;
                while (System.nanoTime() < deadline && !(bothRefused && sentAfter >= 3 && receivedAfter >= 3)) {
                    try {
                        producer.send(new ProducerRecord<>("pod-identity", bothRefused ? "after" : "before")).get();
                        sentAfter += bothRefused ? 1 : 0;
                    } catch (ExecutionException e) {
                        producerSaw.add(e.getCause());
                    } catch (org.apache.kafka.common.KafkaException e) {
                        producerSaw.add(e);
                    }
                    try {
                        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                            receivedAfter += r.value().equals("after") ? 1 : 0;
                        }
                    } catch (org.apache.kafka.common.KafkaException e) {
                        consumerSaw.add(e);
                    }
                    bothRefused = metric(producer.metrics(), "producer-metrics", "failed-reauthentication-total") >= 1
                            && metric(consumer.metrics(), "consumer-metrics", "failed-reauthentication-total") >= 1;
                }
                assertThat(bothRefused).as("both clients had a re-authentication refused").isTrue();
            }
            c = (software.amazon.awssdk.auth.credentials.AwsSessionCredentials) p.resolveCredentials();
            secrets.add(c.secretAccessKey());
            secrets.add(c.sessionToken());
        } finally {
            podIdentity.agent().credentialLifetime(Duration.ofHours(6));
        }
        assertThat(sentAfter).as("sends that succeeded after the refusals").isGreaterThanOrEqualTo(3);
        assertThat(receivedAfter).as("records received after the refusals").isGreaterThanOrEqualTo(3);
        // The consumer's poll() throws the refusal (Kafka hands authentication errors to the application); the
        // producer's send() of a topic whose metadata it holds went through (Kafka 4.4.0), but may throw it too.
        assertThat(consumerSaw).as("what the consumer's poll() threw").isNotEmpty();
        for (Throwable t : producerSaw.isEmpty() ? consumerSaw : concat(producerSaw, consumerSaw)) {
            assertThat(t).isInstanceOf(SaslAuthenticationException.class).hasMessageContaining("Cannot change principals");
        }
        assertThat(iam.authentications().stream().filter(Authentication::accepted).map(Authentication::principal)
                .filter(pr -> pr.contains("/eks-")).distinct()).as("Pod Identity principals").hasSizeGreaterThanOrEqualTo(2);
    }

    /**
     * The README's recipe for one principal under EKS Pod Identity: {@code awsRoleArn} with
     * {@code awsRoleSessionName} chains a role from the agent's credentials under a fixed session name. 12-s
     * credentials (the agent's and the chained role's), so both sessions refresh every few seconds: both mechanisms
     * re-authenticate across several refreshes, with new keys each time, as one principal, and none is refused
     * (without the recipe each refresh changes the principal: the test above).
     */
    @Test
    void withPodIdentityAwsRoleArnAndSessionNameKeepOnePrincipalAcrossRefreshes() throws Exception {
        String role = podIdentity.sts().createRole(podIdentity.accountId(), "msk-fixed", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                 "Principal":{"AWS":"%s"},"Action":"sts:AssumeRole"}]}""".formatted(podIdentity.roleArn()),
                Duration.ofHours(1));
        String principal = "arn:aws:sts::" + podIdentity.accountId() + ":assumed-role/msk-fixed/orders-fixed";
        String options = " awsRoleArn=\"" + role + "\" awsRoleSessionName=\"orders-fixed\";";
        podIdentity.sts().credentialLifetime(Duration.ofSeconds(12));
        broker.createTopic("pod-identity-fixed");
        try (IrsaCredentialsProvider p = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(podIdentity.podEnvironment()))
                .refreshPolicy(POLICY)
                .shared(false).build()) {
            Map<String, Object> iamConfig = clientConfig("AWS_MSK_IAM", p);
            iamConfig.put("sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required" + options);
            Map<String, Object> oauthConfig = clientConfig("OAUTHBEARER", p);
            oauthConfig.put("sasl.jaas.config", "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
                    + " required region=\"us-west-2\"" + options);
            int sent = 0;
            try (KafkaProducer<String, String> viaIam = producer(iamConfig);
                 KafkaProducer<String, String> viaOAuth = producer(oauthConfig)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(50).toNanos();
                while (System.nanoTime() < deadline) {
                    viaIam.send(new ProducerRecord<>("pod-identity-fixed", "iam-" + sent)).get();
                    viaOAuth.send(new ProducerRecord<>("pod-identity-fixed", "oauth-" + sent)).get();
                    sent++;
                    if (metric(viaIam, "successful-reauthentication-total") >= 3
                            && metric(viaOAuth, "successful-reauthentication-total") >= 3) {
                        break;
                    }
                    Thread.sleep(200);
                }
                for (KafkaProducer<String, String> producer : List.of(viaIam, viaOAuth)) {
                    assertThat(metric(producer, "successful-reauthentication-total")).as("re-authentications")
                            .isGreaterThanOrEqualTo(3);
                    assertThat(metric(producer, "failed-reauthentication-total")).as("refused").isZero();
                }
            }
            assertThat(consume(iamConfig, "pod-identity-fixed", 2 * sent)).hasSize(2 * sent);
        } finally {
            podIdentity.sts().credentialLifetime(null);
        }
        List<Authentication> auths = iam.authentications();
        for (Authentication a : auths) {
            podIdentity.sts().issuedCredentials(a.accessKeyId()).ifPresent(c -> {
                secrets.add(c.secretAccessKey());
                secrets.add(c.sessionToken());
            });
        }
        assertThat(auths).allSatisfy(a -> {
            assertThat(a.accepted()).as(a.failure()).isTrue();
            assertThat(a.principal()).isEqualTo(principal);
        });
        for (String mechanism : List.of("AWS_MSK_IAM", "OAUTHBEARER")) {
            assertThat(accepted(mechanism).stream().map(Authentication::accessKeyId).distinct())
                    .as(mechanism + " keys: one per refresh").hasSizeGreaterThanOrEqualTo(3);
        }
    }

    /** Credentials another STS issued are refused by the broker; the client sees an authentication error. */
    @Test
    void credentialsThisStsDidNotIssueAreRefused() throws Exception {
        try (IrsaEnvironment other = IrsaEnvironment.start(); IrsaCredentialsProvider p = provider(other, "orders-app")) {
            for (String mechanism : List.of("AWS_MSK_IAM", "OAUTHBEARER")) {
                try (KafkaProducer<String, String> producer = producer(clientConfig(mechanism, p))) {
                    assertThatThrownBy(() -> producer.partitionsFor("iam-orders"))
                            .isInstanceOf(SaslAuthenticationException.class);
                }
            }
        }
        assertThat(iam.authentications()).isNotEmpty().allSatisfy(a -> {
            assertThat(a.accepted()).isFalse();
            assertThat(a.failure()).contains("not issued by this STS");
        });
    }

    /** Hands IAMLoginModule credentials the test chose: tampered or expired ones, which our handler never serves. */
    public static final class FixedCredentialsHandler implements org.apache.kafka.common.security.auth.AuthenticateCallbackHandler {
        static volatile software.amazon.awssdk.auth.credentials.AwsCredentials credentials;

        @Override
        public void configure(Map<String, ?> configs, String mechanism, List<javax.security.auth.login.AppConfigurationEntry> entries) {
        }

        @Override
        public void handle(javax.security.auth.callback.Callback[] callbacks) {
            for (javax.security.auth.callback.Callback c : callbacks) {
                ((software.amazon.msk.auth.iam.internals.AWSCredentialsCallback) c).setAwsCredentials(credentials);
            }
        }

        @Override
        public void close() {
        }
    }

    private static String refusal(software.amazon.awssdk.auth.credentials.AwsCredentials credentials) {
        FixedCredentialsHandler.credentials = credentials;
        Map<String, Object> config = clientConfig("AWS_MSK_IAM", null);
        config.remove("sasl.irsa.credentials.provider");
        config.put("sasl.client.callback.handler.class", FixedCredentialsHandler.class.getName());
        try (KafkaProducer<String, String> producer = producer(config)) {
            Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> producer.partitionsFor("iam-orders"));
            assertThat(t).isInstanceOf(SaslAuthenticationException.class);
            return t.getMessage();
        }
    }

    @Test
    void aTamperedSecretOrExpiredCredentialsAreRefused() throws Exception {
        IrsaEnvironment env = irsa.environment();
        // Long-lived for the two tampering checks, so a loaded machine cannot turn them into "expired" refusals;
        // separate short-lived ones for the expiry check (the emulator truncates expiry to the whole second).
        IssuedCredentials issued = env.sts().issueFor(env.roleArn(), "fixed", Duration.ofHours(1));
        secrets.add(issued.secretAccessKey());
        secrets.add(issued.sessionToken());
        var tampered = software.amazon.awssdk.auth.credentials.AwsSessionCredentials.create(issued.accessKeyId(),
                "X" + issued.secretAccessKey().substring(1), issued.sessionToken());
        String wrongToken = issued.sessionToken().substring(0, issued.sessionToken().length() - 4) + "AAAA";
        var otherToken = software.amazon.awssdk.auth.credentials.AwsSessionCredentials.create(issued.accessKeyId(),
                issued.secretAccessKey(), wrongToken);
        assertThat(refusal(tampered)).contains("SIGNATURE_MISMATCH");
        assertThat(refusal(otherToken)).contains("security token is not the one issued");
        IssuedCredentials shortLived = env.sts().issueFor(env.roleArn(), "fixed", Duration.ofSeconds(1));
        secrets.add(shortLived.secretAccessKey());
        secrets.add(shortLived.sessionToken());
        while (!java.time.Instant.now().isAfter(shortLived.expiration())) {
            Thread.sleep(50);
        }
        assertThat(refusal(software.amazon.awssdk.auth.credentials.AwsSessionCredentials.create(shortLived.accessKeyId(),
                shortLived.secretAccessKey(), shortLived.sessionToken()))).contains("expired");
        assertThat(iam.authentications()).hasSizeGreaterThanOrEqualTo(3).noneMatch(Authentication::accepted);
    }

    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    @org.springframework.boot.autoconfigure.ImportAutoConfiguration(org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration.class)
    static class SpringKafkaApp {
    }

    /**
     * The README's Spring Kafka recipe, verbatim but for the broker's address and protocol, through Spring Boot's own
     * Kafka auto-configuration; the credentials come from the pod's environment (here as the system properties the SDK
     * also reads), the zero-configuration path: no provider is handed over.
     */
    @Test
    void springBootKafkaWithTheReadmeRecipeAndZeroConfigurationCredentials() throws Exception {
        broker.createTopic("spring-orders");
        IrsaEnvironment env = irsa.environment();
        Map<String, String> pod = Map.of("aws.roleArn", env.roleArn(), "aws.webIdentityTokenFile", env.tokenFile().toString(),
                "aws.region", env.region(), "aws.endpointUrlSts", env.stsEndpoint().toString(),
                "aws.roleSessionName", "spring-orders");
        Map<String, String> saved = new HashMap<>();
        pod.forEach((k, v) -> saved.put(k, System.setProperty(k, v)));
        try (org.springframework.context.ConfigurableApplicationContext ctx =
                     new org.springframework.boot.builder.SpringApplicationBuilder(SpringKafkaApp.class)
                             .web(org.springframework.boot.WebApplicationType.NONE).properties(
                                     "spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                                     "spring.kafka.security.protocol=SASL_PLAINTEXT",
                                     "spring.kafka.properties.sasl.mechanism=AWS_MSK_IAM",
                                     "spring.kafka.properties.sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;",
                                     "spring.kafka.properties.sasl.client.callback.handler.class=dev.irsa.kafka.IrsaMskIamCallbackHandler")
                             .run()) {
            @SuppressWarnings("unchecked")
            org.springframework.kafka.core.KafkaTemplate<Object, Object> template = ctx.getBean(
                    org.springframework.kafka.core.KafkaTemplate.class);
            template.send("spring-orders", "from-spring").get();
        } finally {
            saved.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
        try (IrsaCredentialsProvider p = provider(env, "spring-orders")) {
            assertThat(consume(clientConfig("AWS_MSK_IAM", p), "spring-orders", 1)).containsExactly("from-spring");
        }
        assertThat(accepted("AWS_MSK_IAM")).isNotEmpty()
                .allSatisfy(a -> assertThat(a.principal()).endsWith(":assumed-role/app-role/spring-orders"));
        assertThat(iam.authentications()).allMatch(Authentication::accepted);
    }
}
