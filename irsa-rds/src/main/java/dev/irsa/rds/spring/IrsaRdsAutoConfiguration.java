package dev.irsa.rds.spring;

import com.zaxxer.hikari.HikariDataSource;
import dev.irsa.rds.RdsAuthTokens;
import dev.irsa.rds.hikari.RdsIamHikariCredentials;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Switches every HikariCP {@code DataSource} of the application ({@code spring.datasource.*}) to RDS / Aurora IAM
 * database authentication when {@code irsa.rds.enabled=true}: each new physical connection logs in as
 * {@code spring.datasource.username} with a valid token as its password; host and port come from
 * {@code spring.datasource.url}, the region from the host name ({@code *.<region>.rds.amazonaws.com}) or
 * {@code irsa.rds.region}. Tokens are signed with the application's {@link AwsCredentialsProvider} bean (the one
 * {@code irsa-spring-starter} defines) when there is exactly one, otherwise with an
 * {@link dev.irsa.sdk.IrsaCredentialsProvider#create()} of its own. {@code irsa.rds.margin} (default 3 minutes) is
 * how long a token must still be valid when handed out.
 *
 * <p>Works with Spring Boot 4.0 and 3.5: it only needs what both lines share. It needs HikariCP 7.0 or newer (Boot
 * 4.0 manages 7.0; on Boot 3.5, which manages 6.3, set {@code hikaricp.version} to 7.1.0) and says so at start-up
 * otherwise. A {@code DataSource} with its own
 * {@code credentialsProvider} is left alone.
 *
 * @since 0.1.0
 */
@AutoConfiguration
@ConditionalOnClass(name = "com.zaxxer.hikari.HikariDataSource")
@ConditionalOnProperty(prefix = "irsa.rds", name = "enabled", havingValue = "true")
public class IrsaRdsAutoConfiguration {
    private static final Logger log = LoggerFactory.getLogger(IrsaRdsAutoConfiguration.class);
    private static final String HIKARI_HOOK = "com.zaxxer.hikari.HikariCredentialsProvider";

    /** Created by Spring. */
    public IrsaRdsAutoConfiguration() {
    }

    /**
     * The token source; closed with the context.
     *
     * @param credentials the application's credentials provider, if it has exactly one
     * @param environment for {@code irsa.rds.margin}
     * @return the token source
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public RdsAuthTokens irsaRdsAuthTokens(ObjectProvider<AwsCredentialsProvider> credentials, Environment environment) {
        RdsAuthTokens.Builder b = RdsAuthTokens.builder();
        AwsCredentialsProvider provider = credentials.getIfUnique();
        if (provider != null) {
            b.credentialsProvider(provider);
        }
        Binder.get(environment).bind("irsa.rds.margin", Duration.class).ifBound(b::margin);
        return b.build();
    }

    /**
     * Installs {@link RdsIamHikariCredentials} on each {@link HikariDataSource} before it is initialized.
     *
     * @param tokens the token source, looked up when the first data source appears
     * @param environment for {@code irsa.rds.region}
     * @return the post-processor
     */
    @Bean
    public static BeanPostProcessor irsaRdsHikariPostProcessor(ObjectProvider<RdsAuthTokens> tokens, Environment environment) {
        requireHikariCredentialsHook(IrsaRdsAutoConfiguration.class.getClassLoader());
        return new HikariIamPostProcessor(tokens, environment.getProperty("irsa.rds.region"));
    }

    /**
     * Spring Boot 3.5 manages HikariCP 6.3, which has no credentials hook: say so at start-up, rather than let every
     * login fail for want of a password.
     */
    static void requireHikariCredentialsHook(ClassLoader classLoader) {
        if (!ClassUtils.isPresent(HIKARI_HOOK, classLoader)) {
            throw new IllegalStateException("irsa.rds.enabled=true needs HikariCP 7.0 or newer (its " + HIKARI_HOOK
                    + " hook, which hands each new connection a fresh token); the HikariCP on the class path is older."
                    + " Spring Boot 3.5 manages HikariCP 6.3: set the property hikaricp.version to 7.1.0 (Maven, with"
                    + " spring-boot-starter-parent or the spring-boot-dependencies BOM) or ext['hikaricp.version'] (Gradle).");
        }
    }

    /** Static and lazy: a post-processor is created before the beans it could otherwise depend on. */
    private record HikariIamPostProcessor(ObjectProvider<RdsAuthTokens> tokens, String region) implements BeanPostProcessor, Ordered {
        @Override
        public Object postProcessBeforeInitialization(Object bean, String beanName) {
            if (bean instanceof HikariDataSource ds && ds.getCredentialsProvider() == null) {
                RdsIamHikariCredentials c = RdsIamHikariCredentials.install(ds, tokens.getObject(), region);
                log.info("DataSource '{}' uses RDS IAM database authentication for {}", beanName, c.endpoint());
            }
            return bean;
        }

        /** After {@code @ConfigurationProperties} binding, which sets the URL and user. */
        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
