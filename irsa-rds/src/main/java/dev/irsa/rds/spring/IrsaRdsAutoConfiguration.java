package dev.irsa.rds.spring;

import com.zaxxer.hikari.HikariDataSource;
import dev.irsa.rds.RdsAuthTokens;
import dev.irsa.sdk.IrsaCredentialsProvider;
import org.springframework.beans.factory.ListableBeanFactory;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Switches the application's HikariCP {@code DataSource}s ({@code spring.datasource.*}) that can use RDS / Aurora IAM
 * database authentication to it when {@code irsa.rds.enabled=true}: each new physical connection logs in as
 * {@code spring.datasource.username} with a valid token as its password; host and port come from
 * {@code spring.datasource.url}, the region from the RDS host name (every form the AWS Advanced JDBC Wrapper
 * recognises: commercial, China, GovCloud, ISO), unless settings say what to sign for (a tunnel, port forward or
 * custom DNS name): {@code irsa.rds.data-sources.<bean>.host / port / region / user} for one data source, else
 * {@code irsa.rds.region} for all that are switched and {@code irsa.rds.host / port} for one. The global host and port
 * apply only where that is unambiguous: when a second switched data source would take them too (both would sign for
 * one host, one of them wrongly), start-up fails naming each data source's
 * {@code irsa.rds.data-sources.<bean>.host / port} to set instead. A region is commonly shared, a host never: one
 * endpoint per pool. A pool that names {@link dev.irsa.rds.hikari.RdsIamHikariCredentialsProvider} by class
 * ({@code credentials-provider-class-name}) signs for {@code irsa.rds.host / port / user} and nothing else, so it
 * takes them under the same rule: next to it, a switched data source is described on its own or start-up fails.
 *
 * <p>Aurora DSQL needs nothing more: a data source whose URL (or {@code irsa.rds.host}) names a DSQL cluster endpoint,
 * {@code <cluster-id>.dsql.<region>.on.aws}, gets DSQL tokens from the same cache, {@code DbConnectAdmin} when
 * {@code spring.datasource.username} is {@code admin} and {@code DbConnect} for any other role (see
 * {@link dev.irsa.rds.RdsEndpoint#isDsqlAdmin()}: DSQL's one built-in role is {@code admin}, which logs in only with
 * {@code DbConnectAdmin}, and no custom role can take its name, so the user name decides with no property that could
 * contradict it).
 *
 * <p>Which data sources: with {@code irsa.rds.data-sources} (bean names as a list, or as the keys of per-data-source
 * settings) exactly those, and one that cannot be switched (no host to sign for, no region, a pool already started)
 * fails start-up saying why; a named one with a password of its own is switched with a WARN that its password is
 * dropped. Without it, a {@code HikariDataSource} is switched only when its URL names an RDS endpoint and it has no
 * password of its own; any other (an H2 or local database next to the RDS one, a database with its own password, a
 * pool a {@code @Bean} method already started) is left as it is, password included, with a WARN saying why.
 *
 * <p>Tokens are signed with the application's single {@link IrsaCredentialsProvider} bean (the one
 * {@code irsa-spring-starter} defines), else its single or {@code @Primary} {@link AwsCredentialsProvider} bean (the
 * rule irsa-kafka's glue follows too), otherwise, with one WARN naming the candidates, with an
 * {@link IrsaCredentialsProvider#create()} of its own; chosen once, when the first token is signed, so that a
 * {@code @Lazy} provider bean is created only then. The same choice serves the pools that name
 * {@link dev.irsa.rds.hikari.RdsIamHikariCredentialsProvider} by class. {@code irsa.rds.margin} (default 3 minutes) is
 * how long a token, and the IRSA credentials that sign it, must still be valid when handed out (see
 * {@link RdsAuthTokens}).
 *
 * <p>Works with Spring Boot 4.0 and 3.5: it only needs what both lines share. It needs HikariCP 7.0 or newer (Boot
 * 4.0 manages 7.0; on Boot 3.5, which manages 6.3, set {@code hikaricp.version} to 7.1.0) and says so at start-up
 * otherwise. A {@code DataSource} with its own
 * {@code credentialsProvider} is left alone, unless named in {@code irsa.rds.data-sources} (then start-up fails).
 *
 * @since 0.1.0
 */
@AutoConfiguration
@ConditionalOnClass(name = "com.zaxxer.hikari.HikariDataSource")
@ConditionalOnProperty(prefix = "irsa.rds", name = "enabled", havingValue = "true")
public class IrsaRdsAutoConfiguration {
    private static final String HIKARI_HOOK = "com.zaxxer.hikari.HikariCredentialsProvider";
    /** The post-processor's bean name: with it, it also binds the pools naming RdsIamHikariCredentialsProvider. */
    static final String POST_PROCESSOR = "irsaRdsHikariPostProcessor";

    /** Created by Spring. */
    public IrsaRdsAutoConfiguration() {
    }

    /**
     * The token source; closed with the context. The credentials provider is chosen when the first token is signed
     * (see the class comment), so a {@code @Lazy} provider bean is not created at start-up.
     *
     * @param beanFactory to find the application's credentials provider bean, and name the candidates when none can
     *        be chosen
     * @param environment for {@code irsa.rds.margin}
     * @return the token source
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public RdsAuthTokens irsaRdsAuthTokens(Environment environment, ListableBeanFactory beanFactory) {
        RdsAuthTokens.Builder b = RdsAuthTokens.builder().credentialsProvider(ApplicationCredentials.deferred(beanFactory));
        Binder.get(environment).bind("irsa.rds.margin", Duration.class).ifBound(b::margin);
        return b.build();
    }

    /**
     * Installs {@link dev.irsa.rds.hikari.RdsIamHikariCredentials} on each {@link HikariDataSource} that can use IAM
     * (see the class comment) before it is initialized.
     *
     * @param tokens the token source, looked up when the first data source appears
     * @param environment for {@code irsa.rds.region}, {@code irsa.rds.host}, {@code irsa.rds.port} and
     *        {@code irsa.rds.data-sources} (a list of bean names, or per-data-source settings)
     * @param beanFactory to make each data source depend on the token source, so it closes first
     * @return the post-processor
     */
    @Bean
    public static BeanPostProcessor irsaRdsHikariPostProcessor(ObjectProvider<RdsAuthTokens> tokens, Environment environment,
                                                               ConfigurableListableBeanFactory beanFactory) {
        requireHikariCredentialsHook(IrsaRdsAutoConfiguration.class.getClassLoader());
        return new HikariIamPostProcessor(tokens, beanFactory, Binder.get(environment),
                // the context's registration (none if IrsaRdsHikariByNameAutoConfiguration is excluded)
                () -> IrsaRdsHikariByNameAutoConfiguration.Registration.of(beanFactory), true);
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

}
