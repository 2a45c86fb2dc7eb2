package dev.irsa.kafka.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.sdk.IrsaCredentialsProvider;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.kafka.config.KafkaStreamsConfiguration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * What the post-processor changes in each kind of Spring Kafka configuration, without a broker (the broker test,
 * StarterKafkaBrokerTest, covers producer, consumer and admin end to end; Kafka Streams is not on this module's
 * test class path, so its configuration is checked here as Kafka Streams reads it: by prefix).
 */
class IrsaKafkaAutoConfigurationTest {
    private final IrsaCredentialsProvider provider = IrsaCredentialsProvider.builder()
            .roleArn("arn:aws:iam::111122223333:role/app-role").tokenFile(java.nio.file.Path.of("/nonexistent/token"))
            .region("us-west-2").shared(false).build();
    private final BeanPostProcessor bpp;

    IrsaKafkaAutoConfigurationTest() {
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        beans.registerSingleton("irsaCredentialsProvider", provider);
        bpp = IrsaKafkaAutoConfiguration.irsaKafkaCredentialsPostProcessor(beans.getBeanProvider(IrsaCredentialsProvider.class), beans);
    }

    @AfterEach
    void close() {
        provider.close();
    }

    private static Map<String, Object> msk(String handlerKey, Object handler) {
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", "localhost:9098");
        m.put(handlerKey, handler);
        return m;
    }

    @Test
    void streamsConfigurationGetsTheProviderUnderEachInnerClientsPrefix() {
        KafkaStreamsConfiguration s = new KafkaStreamsConfiguration(msk("sasl.login.callback.handler.class",
                "dev.irsa.kafka.IrsaMskOAuthBearerLoginCallbackHandler"));
        Object out = bpp.postProcessBeforeInitialization(s, "defaultKafkaStreamsConfig");
        assertThat(((KafkaStreamsConfiguration) out).asProperties())
                .containsEntry("producer.sasl.irsa.credentials.provider", provider)
                .containsEntry("consumer.sasl.irsa.credentials.provider", provider)
                .containsEntry("admin.sasl.irsa.credentials.provider", provider)
                .containsEntry("sasl.login.callback.handler.class", "dev.irsa.kafka.IrsaMskOAuthBearerLoginCallbackHandler");
    }

    @Test
    void configurationsWithoutOurHandlerOrWithTheirOwnProviderAreLeftAlone() {
        KafkaStreamsConfiguration plain = new KafkaStreamsConfiguration(msk("sasl.login.callback.handler.class",
                "com.example.OtherHandler"));
        assertThat(bpp.postProcessBeforeInitialization(plain, "s")).isSameAs(plain);

        IrsaCredentialsProvider own = IrsaCredentialsProvider.builder().roleArn("arn:aws:iam::111122223333:role/other")
                .tokenFile(java.nio.file.Path.of("/nonexistent/token")).region("us-west-2").shared(false).build();
        Map<String, Object> withOwn = msk("sasl.client.callback.handler.class", dev.irsa.kafka.IrsaMskIamCallbackHandler.class);
        withOwn.put("sasl.irsa.credentials.provider", own);
        DefaultKafkaProducerFactory<String, String> f = new DefaultKafkaProducerFactory<>(withOwn);
        bpp.postProcessBeforeInitialization(f, "kafkaProducerFactory");
        assertThat(f.getConfigurationProperties().get("sasl.irsa.credentials.provider")).isSameAs(own);
        own.close();
    }

    @Test
    void producerFactoryAndAdminNamingOurHandlerAsAClassGetTheProvider() {
        DefaultKafkaProducerFactory<String, String> f = new DefaultKafkaProducerFactory<>(
                msk("sasl.client.callback.handler.class", dev.irsa.kafka.IrsaMskIamCallbackHandler.class));
        bpp.postProcessBeforeInitialization(f, "kafkaProducerFactory");
        assertThat(f.getConfigurationProperties()).containsEntry("sasl.irsa.credentials.provider", provider);

        KafkaAdmin admin = new KafkaAdmin(msk("sasl.client.callback.handler.class", "dev.irsa.kafka.IrsaMskIamCallbackHandler"));
        bpp.postProcessBeforeInitialization(admin, "kafkaAdmin");
        assertThat(admin.getConfigurationProperties()).containsEntry("sasl.irsa.credentials.provider", provider);
    }

    /** Two IRSA beans, neither @Primary: no bean to hand over, and one WARN (not one per Kafka bean) saying so. */
    @Test
    void withoutAProviderBeanToChooseOneWarnNamesTheCandidates() {
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        beans.registerSingleton("first", provider);
        beans.registerSingleton("second", provider);
        BeanPostProcessor twoBeans = IrsaKafkaAutoConfiguration.irsaKafkaCredentialsPostProcessor(
                beans.getBeanProvider(IrsaCredentialsProvider.class), beans);
        try (dev.irsa.kafka.LogCapture logs = new dev.irsa.kafka.LogCapture()) {
            for (String name : java.util.List.of("producerFactory", "otherProducerFactory")) {
                DefaultKafkaProducerFactory<String, String> f = new DefaultKafkaProducerFactory<>(
                        msk("sasl.client.callback.handler.class", dev.irsa.kafka.IrsaMskIamCallbackHandler.class));
                twoBeans.postProcessBeforeInitialization(f, name);
                assertThat(f.getConfigurationProperties()).doesNotContainKey("sasl.irsa.credentials.provider");
            }
            java.util.List<String> warns = logs.lines().stream()
                    .filter(l -> l.startsWith("WARN") && l.contains("credentials provider")).toList();
            assertThat(warns).hasSize(1);
            assertThat(warns.get(0)).contains("Kafka").contains("first").contains("second").contains("@Primary");
        }
    }
    /**
     * A @Lazy provider bean is not created at start-up by the registration for Kafka clients built outside Spring: it is
     * looked up when such a client first needs the comparison.
     */
    @Test
    void aLazyProviderBeanIsNotCreatedAtStartUp() throws Exception {
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();
        org.springframework.beans.factory.support.RootBeanDefinition lazy = new org.springframework.beans.factory.support
                .RootBeanDefinition(IrsaCredentialsProvider.class, () -> {
                    created.incrementAndGet();
                    return provider;
                });
        lazy.setLazyInit(true);
        beans.registerBeanDefinition("lazyProvider", lazy);
        IrsaKafkaAutoConfiguration.ApplicationProviderRegistration registration = new IrsaKafkaAutoConfiguration()
                .irsaKafkaApplicationProvider(beans);
        beans.preInstantiateSingletons();
        assertThat(created).as("not created at start-up").hasValue(0);
        registration.close();
    }

    /**
     * Review finding 6: a Kafka client built outside Spring (here its handler, configured as {@code new KafkaProducer}
     * configures it) compares its own provider with the application's only if that bean already exists: the check
     * must not create a @Lazy provider bean (a session, perhaps an STS call) for a WARN. Once the bean exists, it is
     * compared.
     */
    @Test
    void aKafkaClientBuiltOutsideSpringDoesNotCreateALazyProviderBeanForTheCheck() throws Exception {
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();
        org.springframework.beans.factory.support.RootBeanDefinition lazy = new org.springframework.beans.factory.support
                .RootBeanDefinition(IrsaCredentialsProvider.class, () -> {
                    created.incrementAndGet();
                    return provider;
                });
        lazy.setLazyInit(true);
        beans.registerBeanDefinition("lazyProvider", lazy);
        IrsaKafkaAutoConfiguration.ApplicationProviderRegistration registration = new IrsaKafkaAutoConfiguration()
                .irsaKafkaApplicationProvider(beans);
        beans.preInstantiateSingletons();
        Map<String, String> pod = new HashMap<>();
        try (dev.irsa.testkit.IrsaEnvironment env = dev.irsa.testkit.IrsaEnvironment.builder().roleName("outside-spring").start();
             dev.irsa.kafka.LogCapture logs = new dev.irsa.kafka.LogCapture()) {
            pod.put("aws.roleArn", env.roleArn());
            pod.put("aws.webIdentityTokenFile", env.tokenFile().toString());
            pod.put("aws.region", env.region());
            pod.put("aws.endpointUrlSts", env.stsEndpoint().toString());
            pod.forEach(System::setProperty);
            configureAHandlerAsAPlainKafkaClientDoes();
            assertThat(created).as("the check creates no @Lazy provider bean").hasValue(0);
            assertThat(logs.lines()).noneMatch(l -> l.contains("differs from the application's"));
            beans.getBean("lazyProvider");
            configureAHandlerAsAPlainKafkaClientDoes();
            assertThat(created).hasValue(1);
            assertThat(logs.lines()).as("an existing bean is compared").anyMatch(l -> l.startsWith("WARN")
                    && l.contains("differs from the application's") && l.contains("outside-spring"));
        } finally {
            pod.keySet().forEach(System::clearProperty);
            registration.close();
        }
    }

    private static void configureAHandlerAsAPlainKafkaClientDoes() {
        dev.irsa.kafka.IrsaMskIamCallbackHandler handler = new dev.irsa.kafka.IrsaMskIamCallbackHandler();
        handler.configure(Map.of(), "AWS_MSK_IAM", java.util.List.of());
        handler.close();
    }
}
