package dev.irsa.rds.spring;

import com.zaxxer.hikari.HikariDataSource;
import dev.irsa.rds.RdsAuthTokens;
import dev.irsa.rds.hikari.RdsIamHikariCredentials;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.irsa.rds.RdsEndpoint;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
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
 * Switches the application's HikariCP {@code DataSource}s ({@code spring.datasource.*}) to RDS / Aurora IAM
 * database authentication when {@code irsa.rds.enabled=true}: each new physical connection logs in as
 * {@code spring.datasource.username} with a valid token as its password; host and port come from
 * {@code spring.datasource.url} unless {@code irsa.rds.host} / {@code irsa.rds.port} say what to sign for (a tunnel,
 * port forward or custom DNS name), the region from the host name ({@code *.<region>.rds.amazonaws.com}) or
 * {@code irsa.rds.region}.
 *
 * <p>Which data sources: with {@code irsa.rds.data-sources} (bean names) exactly those, and one that cannot be
 * switched (a URL with no RDS endpoint in it, a pool already started) fails start-up saying why. Without it, every
 * {@code HikariDataSource} that can be switched is; any other (an H2 or local database next to the RDS one, a pool a
 * {@code @Bean} method already started) is left as it is, with a WARN saying why. Tokens are signed with the application's {@link AwsCredentialsProvider} bean (the one
 * {@code irsa-spring-starter} defines) when there is exactly one, otherwise with an
 * {@link dev.irsa.sdk.IrsaCredentialsProvider#create()} of its own. {@code irsa.rds.margin} (default 3 minutes) is
 * how long a token, and the IRSA credentials that sign it, must still be valid when handed out (see
 * {@link RdsAuthTokens}).
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
     * Installs {@link RdsIamHikariCredentials} on each {@link HikariDataSource} (or each one named in
     * {@code irsa.rds.data-sources}) before it is initialized.
     *
     * @param tokens the token source, looked up when the first data source appears
     * @param environment for {@code irsa.rds.region}, {@code irsa.rds.host}, {@code irsa.rds.port} and
     *        {@code irsa.rds.data-sources}
     * @param beanFactory to make each data source depend on the token source, so it closes first
     * @return the post-processor
     */
    @Bean
    public static BeanPostProcessor irsaRdsHikariPostProcessor(ObjectProvider<RdsAuthTokens> tokens, Environment environment,
                                                               ConfigurableListableBeanFactory beanFactory) {
        requireHikariCredentialsHook(IrsaRdsAutoConfiguration.class.getClassLoader());
        Binder binder = Binder.get(environment);
        return new HikariIamPostProcessor(tokens, beanFactory, environment.getProperty("irsa.rds.region"),
                environment.getProperty("irsa.rds.host"), binder.bind("irsa.rds.port", Integer.class).orElse(null),
                binder.bind("irsa.rds.data-sources", String[].class).map(List::of).orElse(null));
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

    /**
     * Static and lazy: a post-processor is created before the beans it could otherwise depend on.
     *
     * @param only bean names to switch, or null for every HikariDataSource that can be
     */
    private record HikariIamPostProcessor(ObjectProvider<RdsAuthTokens> tokens, ConfigurableListableBeanFactory beanFactory,
                                          String region, String host, Integer port, List<String> only)
            implements BeanPostProcessor, Ordered {
        @Override
        public Object postProcessBeforeInitialization(Object bean, String beanName) {
            if (!(bean instanceof HikariDataSource ds) || ds.getCredentialsProvider() != null
                    || (only != null && !only.contains(beanName))) {
                return bean;
            }
            try {
                if (ds.isRunning()) {
                    throw new IllegalStateException("its pool has already started (a @Bean method returning"
                            + " new HikariDataSource(config)), so its configuration is sealed: call"
                            + " RdsIamHikariCredentials.install(config, tokens) before constructing it, or return an"
                            + " unstarted HikariDataSource with the URL and user set");
                }
                RdsIamHikariCredentials c = RdsIamHikariCredentials.install(ds, tokens.getObject(), endpoint(ds));
                for (String tokensBean : beanFactory.getBeanNamesForType(RdsAuthTokens.class)) {
                    // closed after the data source, which asks it for tokens until then
                    beanFactory.registerDependentBean(tokensBean, beanName);
                }
                log.info("DataSource '{}' uses RDS IAM database authentication for {}", beanName, c.endpoint());
            } catch (IllegalArgumentException | IllegalStateException e) {
                if (only != null) {
                    throw new IllegalStateException("DataSource '" + beanName + "' is named in irsa.rds.data-sources"
                            + " but cannot use RDS IAM database authentication: " + e.getMessage(), e);
                }
                log.warn("DataSource '{}' is left as it is, without RDS IAM database authentication: {}. If it is an"
                        + " RDS database, name it in irsa.rds.data-sources to make this an error.", beanName, e.getMessage());
            }
            return bean;
        }

        private RdsEndpoint endpoint(HikariDataSource ds) {
            if (host != null && port != null) {
                return RdsEndpoint.of(host, port, ds.getUsername(), region);
            }
            if (ds.getJdbcUrl() == null) {
                throw new IllegalArgumentException("it has no jdbcUrl (a pool configured through a DataSource class is"
                        + " not supported)");
            }
            if (host != null) {
                // only the port is taken from the URL (the region passed is not used: it comes from the host given)
                int urlPort = RdsEndpoint.fromJdbcUrl(ds.getJdbcUrl(), ds.getUsername(), "us-east-1").port();
                return RdsEndpoint.of(host, urlPort, ds.getUsername(), region);
            }
            RdsEndpoint e = RdsEndpoint.fromJdbcUrl(ds.getJdbcUrl(), ds.getUsername(), region);
            return port == null ? e : new RdsEndpoint(e.host(), port, e.user(), e.region());
        }

        /** After {@code @ConfigurationProperties} binding, which sets the URL and user. */
        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
