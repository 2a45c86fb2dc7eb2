package dev.irsa.rds.spring;

import dev.irsa.rds.RdsAuthTokens;
import java.lang.reflect.Proxy;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.util.ClassUtils;

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
 * line is on the class path, found by name). Tokens are signed with the provider that {@link IrsaRdsAutoConfiguration}
 * chooses (the same rule, the same bean when both apply).
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = IrsaRdsAutoConfiguration.class, beforeName = {
        "org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration",
        "org.springframework.boot.autoconfigure.r2dbc.R2dbcAutoConfiguration"})
@ConditionalOnClass(name = "io.r2dbc.spi.ConnectionFactoryOptions")
@ConditionalOnProperty(prefix = "irsa.rds", name = "enabled", havingValue = "true")
@Import(IrsaR2dbcAutoConfiguration.CustomizerRegistrar.class)
public class IrsaR2dbcAutoConfiguration {
    /** Spring Boot 4's, then 3.5's. */
    static final String[] CUSTOMIZERS = {
            "org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer",
            "org.springframework.boot.autoconfigure.r2dbc.ConnectionFactoryOptionsBuilderCustomizer"};

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

    /** Registers the customizer under Spring Boot's interface of the line on the class path. */
    static final class CustomizerRegistrar implements ImportBeanDefinitionRegistrar, BeanFactoryAware, EnvironmentAware {
        private BeanFactory beanFactory;
        private Environment environment;

        @Override
        public void setBeanFactory(BeanFactory beanFactory) {
            this.beanFactory = beanFactory;
        }

        @Override
        public void setEnvironment(Environment environment) {
            this.environment = environment;
        }

        @Override
        public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
            if (Boolean.FALSE.equals(Binder.get(environment).bind("irsa.rds.r2dbc.enabled", Boolean.class).orElse(null))) {
                return;
            }
            ClassLoader loader = IrsaR2dbcAutoConfiguration.class.getClassLoader();
            Class<?> type = null;
            for (String name : CUSTOMIZERS) {
                if (ClassUtils.isPresent(name, loader)) {
                    type = ClassUtils.resolveClassName(name, loader);
                    break;
                }
            }
            if (type == null) {
                return; // no Spring Boot R2DBC auto-configuration: nothing to customize
            }
            Class<?> customizer = type;
            BeanFactory bf = beanFactory;
            Binder binder = Binder.get(environment);
            RootBeanDefinition definition = new RootBeanDefinition(customizer);
            definition.setInstanceSupplier(() -> {
                R2dbcIamCustomizer target = new R2dbcIamCustomizer(bf.getBeanProvider(RdsAuthTokens.class), binder);
                return Proxy.newProxyInstance(loader, new Class<?>[] {customizer}, (proxy, method, args) ->
                        switch (method.getName()) {
                            case "customize" -> {
                                target.customize((io.r2dbc.spi.ConnectionFactoryOptions.Builder) args[0]);
                                yield null;
                            }
                            case "toString" -> target.toString();
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> throw new UnsupportedOperationException(method.toString());
                        });
            });
            registry.registerBeanDefinition("irsaRdsR2dbcCustomizer", definition);
        }
    }
}
