package dev.irsa.spring;

import dev.irsa.core.CredentialSource;
import dev.irsa.core.IrsaConfig;
import dev.irsa.core.RefreshListener;
import dev.irsa.core.RefreshPolicy;
import dev.irsa.sdk.IrsaCredentialsProvider;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * An {@link AwsCredentialsProvider} bean backed by IRSA when IRSA is configured (the pod's environment, or
 * {@code irsa.role-arn} + {@code irsa.token-file}). Backs off when the application defines its own
 * {@code AwsCredentialsProvider}, when {@code irsa.enabled=false}, and when IRSA is not configured (then nothing is
 * created and nothing fails). Runs before Spring Cloud AWS's credentials auto-configuration, which then finds
 * this bean and uses it.
 * @since 0.1.0
 */
@AutoConfiguration(beforeName = "io.awspring.cloud.autoconfigure.core.CredentialsProviderAutoConfiguration")
@ConditionalOnClass(AwsCredentialsProvider.class)
@ConditionalOnProperty(prefix = "irsa", name = "enabled", havingValue = "true", matchIfMissing = true)
@Conditional(OnIrsaConfiguredCondition.class)
@EnableConfigurationProperties(IrsaProperties.class)
public class IrsaAutoConfiguration {
    /** Creates the auto-configuration; Spring instantiates it. */
    public IrsaAutoConfiguration() {
    }


/**
 * The IRSA credentials provider, unless the application defines its own {@code AwsCredentialsProvider}; closed
 * with the context.
 *
 * @param p the bound {@code irsa.*} properties
 * @param environment the Spring environment, the source of system properties and environment variables
     *                    for settings the properties leave unset
 * @param listeners refresh listeners to register, in order
 * @return a provider built from {@code p}, starting eagerly when {@code irsa.eager-start} is set
 */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(AwsCredentialsProvider.class)
    public IrsaCredentialsProvider irsaCredentialsProvider(IrsaProperties p, Environment environment,
                                                           ObjectProvider<RefreshListener> listeners) {
        IrsaCredentialsProvider.Builder b = builder(p, new EnvironmentSettings(environment)).eagerStart(p.isEagerStart());
        listeners.orderedStream().forEach(b::addListener);
        return b.build();
    }

    /**
     * Keeps the starter's own provider's session running while the context lives, whatever SDK clients close (see
     * {@link IrsaSessionKeeper}); not for providers the application defines itself.
     */
    @Bean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnBean(name = "irsaCredentialsProvider")
    IrsaSessionKeeper irsaSessionKeeper(
            @org.springframework.beans.factory.annotation.Qualifier("irsaCredentialsProvider") IrsaCredentialsProvider provider) {
        return new IrsaSessionKeeper(provider);
    }

    /** The first credentials fetched at startup, off the startup path (see {@link IrsaWarmUp}). */
    @Bean
    @ConditionalOnProperty(prefix = "irsa", name = "warm-up", havingValue = "true", matchIfMissing = true)
    @org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate(IrsaCredentialsProvider.class)
    IrsaWarmUp irsaWarmUp(IrsaCredentialsProvider provider) {
        return new IrsaWarmUp(provider);
    }

    /**
     * The provider's configuration from {@code irsa.*}: the one place both the application's bean and the bootstrap
     * provider (config-data imports) are configured, so that alike properties give alike configurations and so one
     * shared session. Listeners and eager start are left to the caller.
     */
    static IrsaCredentialsProvider.Builder builder(IrsaProperties p, dev.irsa.core.SettingsSource settings) {
        IrsaCredentialsProvider.Builder b = IrsaCredentialsProvider.builder()
                .settings(settings)
                .sessionDuration(p.getSessionDuration())
                .policyArns(p.getPolicyArns())
                .timeouts(p.getConnectTimeout(), p.getReadTimeout())
                .attemptTimeout(p.getAttemptTimeout())
                .refreshPolicy(refreshPolicy(p));
        if (p.getRoleArn() != null) {
            b.roleArn(p.getRoleArn());
        }
        if (p.getTokenFile() != null) {
            b.tokenFile(java.nio.file.Path.of(p.getTokenFile()));
        }
        if (p.getSessionName() != null) {
            b.roleSessionName(p.getSessionName());
        }
        if (p.getRegion() != null) {
            b.region(p.getRegion());
        }
        if (p.getStsEndpoint() != null) {
            b.stsEndpoint(p.getStsEndpoint());
        }
        if (p.getSessionPolicy() != null) {
            b.sessionPolicy(p.getSessionPolicy());
        }
        return b;
    }

    /**
     * The IRSA configuration a provider from {@link #builder} resolves (without listeners, never eager): what decides
     * which session it joins. Mirrors {@link #builder}.
     *
     * @throws RuntimeException (an {@code IrsaException}) when IRSA is not configured or a value is invalid
     */
    static IrsaConfig irsaConfig(IrsaProperties p, dev.irsa.core.SettingsSource settings) {
        IrsaConfig.Builder b = IrsaConfig.builder()
                .settings(settings)
                .sessionDuration(p.getSessionDuration())
                .policyArns(p.getPolicyArns())
                .timeouts(p.getConnectTimeout(), p.getReadTimeout())
                .attemptTimeout(p.getAttemptTimeout())
                .refreshPolicy(refreshPolicy(p));
        if (p.getRoleArn() != null) {
            b.roleArn(p.getRoleArn());
        }
        if (p.getTokenFile() != null) {
            b.tokenFile(java.nio.file.Path.of(p.getTokenFile()));
        }
        if (p.getSessionName() != null) {
            b.roleSessionName(p.getSessionName());
        }
        if (p.getRegion() != null) {
            b.region(p.getRegion());
        }
        if (p.getStsEndpoint() != null) {
            b.stsEndpoint(p.getStsEndpoint());
        }
        if (p.getSessionPolicy() != null) {
            b.sessionPolicy(p.getSessionPolicy());
        }
        return b.build();
    }

    static RefreshPolicy refreshPolicy(IrsaProperties p) {
        return RefreshPolicy.builder()
                .backgroundRefresh(p.getRefresh().isBackground())
                .mandatoryWindow(p.getRefresh().getMandatoryWindow())
                .backoffBase(p.getRefresh().getBackoffBase())
                .backoffMax(p.getRefresh().getBackoffMax())
                .expiredBackoffMax(p.getRefresh().getExpiredBackoffMax())
                .waitTimeout(p.getRefresh().getWaitTimeout())
                .nonRecoverableErrorTtl(p.getRefresh().getNonRecoverableErrorTtl())
                .minimumRefreshInterval(p.getRefresh().getMinimumInterval())
                .build();
    }

    /**
     * Meters for refreshes and expiry; bound to every MeterRegistry the application has. They read the starter's
     * provider's session state, looked up when read: the provider takes these meters as a listener when it is created.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean
        IrsaMetrics irsaMetrics(Environment environment, ObjectProvider<IrsaCredentialsProvider> provider) {
            return new IrsaMetrics(Clock.systemUTC(), CredentialSource.detect(new EnvironmentSettings(environment))
                    .orElse(CredentialSource.WEB_IDENTITY), new SessionOf(provider));
        }
    }

    /** The state of the provider bean's session, once there is one provider bean (resolved once, then kept). */
    static final class SessionOf implements java.util.function.Supplier<java.util.Optional<dev.irsa.core.SessionState>> {
        private final ObjectProvider<IrsaCredentialsProvider> beans;
        private volatile IrsaCredentialsProvider provider;

        SessionOf(ObjectProvider<IrsaCredentialsProvider> beans) {
            this.beans = beans;
        }

        @Override
        public java.util.Optional<dev.irsa.core.SessionState> get() {
            IrsaCredentialsProvider p = provider;
            if (p == null) {
                p = beans.getIfUnique();
                if (p == null) {
                    return java.util.Optional.empty();
                }
                provider = p;
            }
            return p.state();
        }
    }
}
