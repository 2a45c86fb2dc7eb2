package dev.irsa.rds.spring;

import dev.irsa.core.SettingsSource;
import dev.irsa.rds.RdsAuthTokens;
import dev.irsa.rds.internal.ApplicationRds;
import java.time.Duration;
import java.util.Optional;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Lets a HikariCP pool that names {@link dev.irsa.rds.hikari.RdsIamHikariCredentialsProvider} by class
 * ({@code spring.datasource.hikari.credentials-provider-class-name}) sign for the application's {@code irsa.rds.host /
 * port / user / region} properties with the application's credentials provider bean, as the rest of the application
 * does (one principal, one session), rather than for system properties with a provider of its own. Active whenever
 * HikariCP 7 (its credentials hook) is on the class path; it binds the instance in each of the context's
 * {@code HikariDataSource} beans to the context before the pool is initialized (several contexts in one JVM each bind
 * their own), registers the application with irsa-rds while the context lives (for a pool built outside the
 * context's beans), and changes nothing else. Such a pool signs for {@code irsa.rds.host / port}: as they describe one
 * data source, a second data source of the context taking them (another pool naming the class, or one
 * {@link IrsaRdsAutoConfiguration} switches with them) fails start-up naming the per-data-source properties.
 *
 * <p>Tokens come from the application's {@link RdsAuthTokens} bean ({@code irsa.rds.enabled=true} defines one), else
 * from one shared by every such pool, its provider chosen by the rule {@link IrsaRdsAutoConfiguration} follows, when the
 * first token is signed; closed with the context.
 *
 * @since 0.1.0
 */
@AutoConfiguration
@ConditionalOnClass(name = "com.zaxxer.hikari.HikariCredentialsProvider")
public class IrsaRdsHikariByNameAutoConfiguration {
    /** Where the settings of a pool naming the class are read, for messages. */
    static final String WHERE = "the Spring application's properties (or the system properties and environment it reads)";

    /** Created by Spring. */
    public IrsaRdsHikariByNameAutoConfiguration() {
    }

    /** The application's settings, by property name or environment variable name ({@code IRSA_RDS_HOST}). */
    static SettingsSource settings(Environment environment) {
        return new SettingsSource() {
            @Override
            public Optional<String> systemProperty(String name) {
                return Optional.ofNullable(environment.getProperty(name));
            }

            @Override
            public Optional<String> environmentVariable(String name) {
                return Optional.ofNullable(environment.getProperty(name));
            }
        };
    }

    /**
     * Registers the application before any data source is created (a bean factory post-processor is created first).
     *
     * @param environment the application's settings
     * @return the registration, ended when the context closes
     */
    @Bean
    static BeanFactoryPostProcessor irsaRdsHikariByNameRegistration(Environment environment) {
        return new Registration(environment);
    }

    /** The registration; static and free of other beans, as a bean factory post-processor must be. */
    static final class Registration implements BeanFactoryPostProcessor, DisposableBean {
        private final Environment environment;
        private AutoCloseable registration;
        private volatile ApplicationRds.Binding binding;
        private ConfigurableListableBeanFactory beanFactory;
        private RdsAuthTokens tokens;
        private RdsAuthTokens own;

        Registration(Environment environment) {
            this.environment = environment;
        }

        @Override
        public synchronized void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
            this.beanFactory = beanFactory;
            SettingsSource settings = settings(environment);
            binding = new ApplicationRds.Binding(settings, this::tokens, WHERE);
            registration = ApplicationRds.register(binding);
            if (!beanFactory.containsBeanDefinition(IrsaRdsAutoConfiguration.POST_PROCESSOR)) {
                // without irsa.rds.enabled: only bind the pools naming the class (with it, that post-processor does)
                beanFactory.addBeanPostProcessor(new HikariIamPostProcessor(null, beanFactory, Binder.get(environment),
                        () -> binding, false));
            }
        }

        /**
         * The binding of the context's registration, if irsa-rds's by-name auto-configuration is active in it.
         *
         * @param beanFactory the context's
         * @return its binding, or null
         */
        static ApplicationRds.Binding of(ConfigurableListableBeanFactory beanFactory) {
            for (String name : beanFactory.getBeanNamesForType(Registration.class, false, false)) {
                if (beanFactory.getBean(name) instanceof Registration r && r.binding != null) {
                    return r.binding;
                }
            }
            return null;
        }

        /** The application's token source, else one of its own: looked up once, when the first pool asks. */
        private synchronized RdsAuthTokens tokens() {
            if (tokens == null) {
                tokens = beanFactory.getBeanProvider(RdsAuthTokens.class).getIfUnique();
                if (tokens == null) {
                    RdsAuthTokens.Builder b = RdsAuthTokens.builder()
                            .credentialsProvider(ApplicationCredentials.deferred(beanFactory));
                    Binder.get(environment).bind("irsa.rds.margin", Duration.class).ifBound(b::margin);
                    own = b.build();
                    tokens = own;
                }
            }
            return tokens;
        }

        @Override
        public synchronized void destroy() throws Exception {
            if (registration != null) {
                registration.close();
            }
            if (own != null) {
                own.close();
            }
        }
    }
}
