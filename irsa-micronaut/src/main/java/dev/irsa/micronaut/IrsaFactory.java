package dev.irsa.micronaut;

import dev.irsa.core.IrsaConfigurationException;
import dev.irsa.core.IrsaException;
import dev.irsa.core.RefreshListener;
import dev.irsa.core.RefreshPolicy;
import dev.irsa.micronaut.internal.BootstrapHolds;
import dev.irsa.micronaut.internal.IrsaConfiguredCondition;
import dev.irsa.micronaut.internal.UserCredentialsProviderAbsentCondition;
import dev.irsa.micronaut.internal.MicronautSettings;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.micronaut.context.BeanContext;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.BootstrapContextCompatible;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Primary;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.context.exceptions.ConfigurationException;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.List;

/**
 * The IRSA (or EKS Pod Identity) {@link software.amazon.awssdk.auth.credentials.AwsCredentialsProvider} bean: an
 * {@link IrsaCredentialsProvider} configured from {@code irsa.*} and the pod's environment, sharing the process-wide
 * session (one per role per process, with every other integration in the application), and closed when the
 * application context stops. Present only when IRSA or Pod Identity is configured and {@code irsa.enabled} is not
 * {@code false}; otherwise nothing is created and nothing fails. With micronaut-aws on the class path its SDK client
 * factories get it too (see {@code dev.irsa.micronaut.internal.MicronautAwsCredentials}). An application that defines
 * its own {@code AwsCredentialsProvider} bean keeps it: then none of this is created (logged once at INFO).
 *
 * <p>The configuration is validated when the application starts: an invalid value (a malformed role ARN, a session
 * duration outside 15 minutes to 12 hours, a session policy with Pod Identity...) fails the start with the reason and
 * the fix. The first credentials are fetched off the startup path unless {@code irsa.eager-start=true}, which
 * fetches them during startup and fails the start without them.
 * @since 0.1.0
 */
@Factory
@BootstrapContextCompatible
@Requires(property = "irsa.enabled", notEquals = "false")
@Requires(condition = IrsaConfiguredCondition.class)
@Requires(condition = UserCredentialsProviderAbsentCondition.class)
public class IrsaFactory {
    /** Creates the factory; Micronaut instantiates it. */
    public IrsaFactory() {
    }

    /**
     * The IRSA credentials provider; primary among {@code AwsCredentialsProvider} beans, closed with the context.
     *
     * @param c the bound {@code irsa.*} settings
     * @param environment the application's environment, read for settings {@code c} leaves unset (then the real
     *                    system properties and environment variables)
     * @param listeners refresh listeners to register (the meters among them, when Micrometer is present)
     * @param context the context creating the provider (Micronaut's bootstrap context, for distributed configuration,
     *                or the application's)
     * @return a provider built from {@code c}, having fetched credentials when {@code irsa.eager-start} is set
     * @throws ConfigurationException when the settings cannot give credentials (the message says which and why)
     */
    @Singleton
    @Primary
    @BootstrapContextCompatible
    @Bean(preDestroy = "close")
    public IrsaCredentialsProvider irsaCredentialsProvider(IrsaConfiguration c, Environment environment,
                                                           List<RefreshListener> listeners, BeanContext context) {
        IrsaCredentialsProvider provider;
        try {
            // Built without eager start, whatever irsa.eager-start says: the settings are decided once, below, by the
            // provider's own validation (the builder's eager start would fail a bad setting as "no credentials").
            IrsaCredentialsProvider.Builder b = builder(c, new MicronautSettings(environment)).eagerStart(false);
            listeners.forEach(b::addListener);
            provider = b.build();
        } catch (IrsaException e) {
            // a refresh setting out of range (RefreshPolicy's own validation)
            throw new ConfigurationException("IRSA's settings are invalid: " + e.getMessage()
                    + " Check the irsa.refresh.* properties.", e);
        }
        // The provider validated the settings with the engine's own rules (IrsaConfig / PodIdentityConfig builders);
        // with IRSA configured, a provider that cannot serve means a setting is wrong: say so now, not at the first
        // AWS call.
        if (provider.unavailableReason().isPresent()) {
            String reason = provider.unavailableReason().get();
            provider.close();
            throw new ConfigurationException("IRSA is configured but its settings are invalid: " + reason
                    + " Check the irsa.* properties and the pod's AWS_* variables.");
        }
        if (c.isEagerStart()) {
            // What the builder's eager start does (the session's first fetch, waited for), on the provider built above.
            try {
                provider.resolveCredentials();
            } catch (RuntimeException e) {
                provider.close();
                // The message carries the STS error and the engine's hint.
                throw new ConfigurationException("IRSA could not get credentials while the application started"
                        + " (irsa.eager-start=true): " + e.getMessage(), e);
            }
        }
        // Created in Micronaut's bootstrap context (distributed configuration), which is never stopped: the main
        // context closes it instead.
        BootstrapHolds.handOver(context, provider);
        return provider;
    }

    /** The provider's configuration from {@code irsa.*}; listeners and eager start are left to the caller. */
    static IrsaCredentialsProvider.Builder builder(IrsaConfiguration c, MicronautSettings settings) {
        IrsaConfiguration.Refresh r = c.getRefresh();
        RefreshPolicy policy;
        try {
            policy = RefreshPolicy.builder()
                    .backgroundRefresh(r.isBackground())
                    .mandatoryWindow(r.getMandatoryWindow())
                    .backoffBase(r.getBackoffBase())
                    .backoffMax(r.getBackoffMax())
                    .expiredBackoffMax(r.getExpiredBackoffMax())
                    .waitTimeout(r.getWaitTimeout())
                    .nonRecoverableErrorTtl(r.getNonRecoverableErrorTtl())
                    .minimumRefreshInterval(r.getMinimumInterval())
                    .build();
        } catch (IllegalArgumentException e) {
            // RefreshPolicy's own validation: a setting out of range is a configuration error, not a failed start
            throw new IrsaConfigurationException(e.getMessage() + " (irsa.refresh.*)");
        }
        IrsaCredentialsProvider.Builder b = IrsaCredentialsProvider.builder()
                .settings(settings)
                .sessionDuration(c.getSessionDuration())
                .policyArns(c.getPolicyArns())
                .timeouts(c.getConnectTimeout(), c.getReadTimeout())
                .attemptTimeout(c.getAttemptTimeout())
                .refreshPolicy(policy);
        if (c.getRoleArn() != null) {
            b.roleArn(c.getRoleArn());
        }
        if (c.getTokenFile() != null) {
            b.tokenFile(Path.of(c.getTokenFile()));
        }
        if (c.getSessionName() != null) {
            b.roleSessionName(c.getSessionName());
        }
        if (c.getRegion() != null) {
            b.region(c.getRegion());
        }
        if (c.getStsEndpoint() != null) {
            b.stsEndpoint(c.getStsEndpoint());
        }
        if (c.getSessionPolicy() != null) {
            b.sessionPolicy(c.getSessionPolicy());
        }
        return b;
    }
}
