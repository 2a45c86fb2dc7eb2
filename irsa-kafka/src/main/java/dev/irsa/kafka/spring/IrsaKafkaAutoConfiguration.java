package dev.irsa.kafka.spring;

import dev.irsa.kafka.IrsaMskIamCallbackHandler;
import dev.irsa.kafka.IrsaMskOAuthBearerLoginCallbackHandler;
import dev.irsa.kafka.internal.KafkaCredentials;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.sdk.internal.ProviderChoice;
import java.util.function.Supplier;
import org.springframework.beans.factory.ListableBeanFactory;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.kafka.config.KafkaStreamsConfiguration;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.util.ReflectionUtils;

/**
 * Has the Kafka clients that Spring builds sign with the application's {@link IrsaCredentialsProvider} bean (the one
 * {@code irsa-spring-starter} defines from {@code irsa.*}, or the application's own), so that Kafka, the AWS SDK
 * clients and the data sources share one session and one principal. Without it irsa-kafka's handlers, which Kafka
 * creates by class name, would build a provider from the pod's environment alone: without the {@code irsa.*}
 * settings, so a second session (another session name, another principal) or none at all.
 *
 * <p>For each client configuration that names {@link IrsaMskIamCallbackHandler} or
 * {@link IrsaMskOAuthBearerLoginCallbackHandler} and hands over no provider itself, it adds the bean in
 * {@value KafkaCredentials#PROVIDER_CONFIG}: producer and consumer factories ({@code KafkaTemplate}s and listener
 * containers build their clients from them), the {@code KafkaAdmin}, and Kafka Streams' configuration (under the
 * {@code producer.}, {@code consumer.} and {@code admin.} prefixes, the only way Kafka Streams passes an object to
 * its inner clients). Spring Boot offers no customizer for the admin client's or Streams' configuration; these are
 * adjusted as beans, before they are initialized, using only what Spring Kafka 3.x and 4.x share (tested on 4.0 and on 3.3, Spring Boot 3.5's). The bean is the single {@code IrsaCredentialsProvider}, else the {@code @Primary} one (the rule
 * irsa-rds follows too); with none to choose, nothing is handed over and one WARN names the candidates.
 *
 * <p>Kafka clients built outside Spring (with {@code new KafkaProducer<>(properties)}) are not reached: hand them the
 * bean in {@value KafkaCredentials#PROVIDER_CONFIG} yourself. While the context lives, one of them that resolves an IRSA
 * configuration of its own from the pod's environment that would not share the bean's session logs one WARN naming
 * what differs (the comparison the starter's config-import check makes); the bean is compared once it exists, never
 * created for the comparison.
 *
 * @since 0.1.0
 */
@AutoConfiguration(afterName = "dev.irsa.spring.IrsaAutoConfiguration")
@ConditionalOnClass(name = {"org.springframework.kafka.core.DefaultKafkaProducerFactory",
        "org.apache.kafka.clients.producer.KafkaProducer"})
public class IrsaKafkaAutoConfiguration {
    private static final Logger log = LoggerFactory.getLogger(IrsaKafkaAutoConfiguration.class);
    private static final List<String> HANDLER_KEYS = List.of("sasl.client.callback.handler.class",
            "sasl.login.callback.handler.class");
    private static final List<String> HANDLERS = List.of(IrsaMskIamCallbackHandler.class.getName(),
            IrsaMskOAuthBearerLoginCallbackHandler.class.getName());
    /** Where Kafka Streams reads its inner clients' own settings; unprefixed keys it does not know are dropped. */
    private static final List<String> STREAMS_PREFIXES = List.of("producer.", "consumer.", "admin.");

    /** Created by Spring. */
    public IrsaKafkaAutoConfiguration() {
    }

    /**
     * Hands the application's provider to the Kafka client configurations Spring builds.
     *
     * @param provider the application's provider, looked up when the first Kafka bean appears
     * @param beanFactory to name the candidates when none can be chosen
     * @return the post-processor
     */
    @Bean
    public static BeanPostProcessor irsaKafkaCredentialsPostProcessor(ObjectProvider<IrsaCredentialsProvider> provider,
                                                                      ListableBeanFactory beanFactory) {
        return new KafkaProviderPostProcessor(() -> {
            // the rule irsa-rds follows too, so that both sign with the same bean
            ProviderChoice.Choice<IrsaCredentialsProvider> c = ProviderChoice.choose("Kafka (irsa-kafka's handlers)",
                    provider.getIfUnique(), null, List.of(beanFactory.getBeanNamesForType(IrsaCredentialsProvider.class)));
            if (c.provider() == null) {
                log.warn(c.warning());
            }
            return c.provider();
        });
    }

    /**
     * Registers the application's provider with irsa-kafka while the context lives, for the check of Kafka clients
     * built outside Spring. Only a provider bean that already exists is compared: the check creates none (a
     * {@code @Lazy} provider bean, its session, perhaps a call to STS, only for a WARN), in this context or another.
     *
     * @param beanFactory where the application's provider is, if it has exactly one (or a {@code @Primary} one)
     * @return the registration, ended when the context closes
     */
    @Bean(destroyMethod = "close")
    ApplicationProviderRegistration irsaKafkaApplicationProvider(ConfigurableListableBeanFactory beanFactory) {
        return new ApplicationProviderRegistration(KafkaCredentials.registerApplicationProvider(() -> existing(beanFactory)));
    }

    /**
     * The provider {@code ObjectProvider.getIfUnique} would give (the single {@link IrsaCredentialsProvider} bean, else
     * the {@code @Primary} one; a context's own before its parent's), but only if that bean has been created already:
     * else null, and nothing is created.
     */
    static IrsaCredentialsProvider existing(ConfigurableListableBeanFactory beanFactory) {
        BeanFactory level = beanFactory;
        while (level instanceof ConfigurableListableBeanFactory f) {
            String[] names = f.getBeanNamesForType(IrsaCredentialsProvider.class, true, false);
            if (names.length > 0) {
                String chosen = names.length == 1 ? names[0] : null;
                for (int i = 0; chosen == null && i < names.length; i++) {
                    if (f.containsBeanDefinition(names[i]) && f.getBeanDefinition(names[i]).isPrimary()) {
                        chosen = names[i];
                    }
                }
                return chosen != null && f.containsSingleton(chosen) ? f.getBean(chosen, IrsaCredentialsProvider.class) : null;
            }
            level = f.getParentBeanFactory();
        }
        return null;
    }

    /** Its own type, so that no one asking the context for an {@code AutoCloseable} is handed it. */
    record ApplicationProviderRegistration(AutoCloseable registration) {
        void close() throws Exception {
            registration.close();
        }
    }

    /** Whether {@code configs} names one of our handlers (as a class name or a class) and hands over no provider. */
    static boolean wantsProvider(Map<String, ?> configs) {
        if (configs.containsKey(KafkaCredentials.PROVIDER_CONFIG) || configs.containsKey(KafkaCredentials.LEGACY_PROVIDER_CONFIG)) {
            return false;
        }
        for (Map.Entry<String, ?> e : configs.entrySet()) {
            Object v = e.getValue();
            String name = v instanceof Class<?> c ? c.getName() : String.valueOf(v).trim();
            if (HANDLER_KEYS.stream().anyMatch(k -> e.getKey().equals(k) || e.getKey().endsWith("." + k))
                    && HANDLERS.contains(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Static and lazy: a post-processor is created before the beans it could otherwise depend on.
     */
    private static final class KafkaProviderPostProcessor implements BeanPostProcessor, Ordered {
        private final Supplier<IrsaCredentialsProvider> choose;
        private volatile boolean chosen;
        private IrsaCredentialsProvider chosenProvider;

        KafkaProviderPostProcessor(Supplier<IrsaCredentialsProvider> choose) {
            this.choose = choose;
        }

        /** Chosen once, when the first Kafka configuration wants it: one WARN at most, whatever the number of beans. */
        private synchronized IrsaCredentialsProvider provider() {
            if (!chosen) {
                chosenProvider = choose.get();
                chosen = true;
            }
            return chosenProvider;
        }

        @Override
        public Object postProcessBeforeInitialization(Object bean, String beanName) {
            if (bean instanceof DefaultKafkaProducerFactory<?, ?> f && wantsProvider(f.getConfigurationProperties())) {
                IrsaCredentialsProvider p = provider();
                if (p != null) {
                    f.updateConfigs(Map.of(KafkaCredentials.PROVIDER_CONFIG, p));
                    handedOver("producer factory", beanName, p);
                }
            } else if (bean instanceof DefaultKafkaConsumerFactory<?, ?> f && wantsProvider(f.getConfigurationProperties())) {
                IrsaCredentialsProvider p = provider();
                if (p != null) {
                    f.updateConfigs(Map.of(KafkaCredentials.PROVIDER_CONFIG, p));
                    handedOver("consumer factory", beanName, p);
                }
            } else if (bean instanceof KafkaAdmin a && wantsProvider(a.getConfigurationProperties())) {
                IrsaCredentialsProvider p = provider();
                if (p != null) {
                    admin(a, beanName, p);
                }
            } else if (bean instanceof KafkaStreamsConfiguration s) {
                Map<String, Object> configs = new HashMap<>();
                s.asProperties().forEach((k, v) -> configs.put(String.valueOf(k), v));
                IrsaCredentialsProvider p;
                if (wantsProvider(configs) && (p = provider()) != null) {
                    for (String prefix : STREAMS_PREFIXES) {
                        configs.putIfAbsent(prefix + KafkaCredentials.PROVIDER_CONFIG, p);
                    }
                    handedOver("Kafka Streams configuration", beanName, p);
                    return new KafkaStreamsConfiguration(configs);
                }
            }
            return bean;
        }

        /**
         * {@code KafkaAdmin} copies its configuration and offers no way to change it, and Spring Boot no customizer:
         * its configuration map is reached by its field, which Spring Kafka 3.x and 4.x both have. Should a later
         * version lack it, the admin client resolves its own credentials, and a WARN says so and what to do.
         */
        private void admin(KafkaAdmin admin, String beanName, IrsaCredentialsProvider p) {
            Field field = ReflectionUtils.findField(KafkaAdmin.class, "configs", Map.class);
            try {
                if (field == null) {
                    throw new IllegalStateException("this Spring Kafka's KafkaAdmin has no 'configs' field");
                }
                ReflectionUtils.makeAccessible(field);
                @SuppressWarnings("unchecked")
                Map<String, Object> configs = (Map<String, Object>) ReflectionUtils.getField(field, admin);
                configs.put(KafkaCredentials.PROVIDER_CONFIG, p);
                handedOver("admin client", beanName, p);
            } catch (RuntimeException e) {
                log.warn("KafkaAdmin '{}' could not be handed the application's IRSA credentials provider ({}), so its"
                        + " admin client resolves credentials from the pod's environment alone, without the irsa.*"
                        + " settings. Define the KafkaAdmin bean yourself with {} set to the IrsaCredentialsProvider"
                        + " bean.", beanName, e.getMessage(), KafkaCredentials.PROVIDER_CONFIG);
            }
        }

        private static void handedOver(String what, String beanName, IrsaCredentialsProvider p) {
            log.debug("Kafka {} '{}' signs with the application's {}", what, beanName, p);
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
