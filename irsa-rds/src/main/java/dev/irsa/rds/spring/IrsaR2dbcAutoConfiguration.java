package dev.irsa.rds.spring;

import dev.irsa.rds.RdsAuthTokens;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Switches the application's Spring Boot auto-configured R2DBC {@code ConnectionFactory} ({@code spring.r2dbc.*}) to
 * RDS / Aurora IAM database authentication (or Aurora DSQL's) when {@code irsa.rds.enabled=true}: each new connection
 * logs in as {@code spring.r2dbc.username} (or the URL's user) with a valid token from the same
 * {@link RdsAuthTokens} as the JDBC data sources, fetched per connection (see
 * {@link dev.irsa.rds.r2dbc.RdsIamR2dbc}). Drivers: r2dbc-postgresql and r2dbc-mysql ({@code io.asyncer}), pooled
 * ({@code r2dbc:pool:...}) or not.
 *
 * <p>Which: by default the factory is switched when its URL names an RDS endpoint or an Aurora DSQL cluster endpoint
 * and {@code spring.r2dbc.password} is not set; otherwise it is left as it is, with a WARN saying why.
 * {@code irsa.rds.r2dbc.enabled=true} switches it whatever its URL (a tunnel, a local database that checks tokens),
 * failing start-up when it cannot be; {@code false} leaves it alone. The host, port and region signed for are the
 * URL's, or {@code irsa.rds.host}, {@code irsa.rds.port}, {@code irsa.rds.region}, as for the JDBC data sources.
 *
 * <p>Works with Spring Boot 4.0 and 3.5 (it adds a {@code ConnectionFactoryOptionsBuilderCustomizer} of whichever
 * line is on the class path: a plain {@code @Bean} of a small class per line, so Spring AOT and native images process
 * it like any other). Tokens are signed with the provider that {@link IrsaRdsAutoConfiguration}
 * chooses (the same rule, the same bean when both apply).
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = IrsaRdsAutoConfiguration.class, beforeName = {
        "org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration",
        "org.springframework.boot.autoconfigure.r2dbc.R2dbcAutoConfiguration"})
@ConditionalOnClass(name = "io.r2dbc.spi.ConnectionFactoryOptions")
@ConditionalOnProperty(prefix = "irsa.rds", name = "enabled", havingValue = "true")
public class IrsaR2dbcAutoConfiguration {
    static final String BOOT4_CUSTOMIZER = "org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer";
    static final String BOOT3_CUSTOMIZER = "org.springframework.boot.autoconfigure.r2dbc.ConnectionFactoryOptionsBuilderCustomizer";

    /** Created by Spring. */
    public IrsaR2dbcAutoConfiguration() {
    }

    /**
     * The token source, when the application has none (a WebFlux application without HikariCP); the same choice of
     * provider as {@link IrsaRdsAutoConfiguration#irsaRdsAuthTokens}. Closed with the context.
     *
     * @param environment for {@code irsa.rds.margin}
     * @param beanFactory where the application's provider bean is chosen, when the first token is signed
     * @return the token source
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public RdsAuthTokens irsaRdsAuthTokens(Environment environment, ListableBeanFactory beanFactory) {
        return new IrsaRdsAutoConfiguration().irsaRdsAuthTokens(environment, beanFactory);
    }

    static R2dbcIamCustomizer customizer(ObjectProvider<RdsAuthTokens> tokens, Environment environment) {
        return new R2dbcIamCustomizer(tokens, Binder.get(environment));
    }

    /** Spring Boot 4 (spring-boot-r2dbc). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = BOOT4_CUSTOMIZER)
    @ConditionalOnProperty(prefix = "irsa.rds.r2dbc", name = "enabled", havingValue = "true", matchIfMissing = true)
    static class Boot4 {
        @Bean
        Boot4R2dbcCustomizer irsaRdsR2dbcCustomizer(ObjectProvider<RdsAuthTokens> tokens, Environment environment) {
            return new Boot4R2dbcCustomizer(customizer(tokens, environment));
        }
    }

    /** Spring Boot 3.5 (its R2DBC auto-configuration is in spring-boot-autoconfigure). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = BOOT3_CUSTOMIZER)
    @ConditionalOnMissingClass(BOOT4_CUSTOMIZER)
    @ConditionalOnProperty(prefix = "irsa.rds.r2dbc", name = "enabled", havingValue = "true", matchIfMissing = true)
    static class Boot3 {
        @Bean
        Boot3R2dbcCustomizer irsaRdsR2dbcCustomizer(ObjectProvider<RdsAuthTokens> tokens, Environment environment) {
            return new Boot3R2dbcCustomizer(customizer(tokens, environment));
        }
    }
}
