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
 * HikariCP 7 (its credentials hook) is on the class path; it only registers the application with irsa-rds while the
 * context lives, and changes nothing else.
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
    /** Created by Spring. */
    public IrsaRdsHikariByNameAutoConfiguration() {
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
        private ConfigurableListableBeanFactory beanFactory;
        private RdsAuthTokens tokens;
        private RdsAuthTokens own;

        Registration(Environment environment) {
            this.environment = environment;
        }

        @Override
        public synchronized void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
            this.beanFactory = beanFactory;
            SettingsSource settings = new SettingsSource() {
                @Override
                public Optional<String> systemProperty(String name) {
                    return Optional.ofNullable(environment.getProperty(name));
                }

                @Override
                public Optional<String> environmentVariable(String name) {
                    return Optional.ofNullable(environment.getProperty(name));
                }
            };
            registration = ApplicationRds.register(new ApplicationRds.Binding(settings, this::tokens,
                    "the Spring application's properties (or the system properties and environment it reads)"));
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
