package dev.irsa.micronaut;

import dev.irsa.core.CredentialSource;
import dev.irsa.micronaut.internal.IrsaConfiguredCondition;
import dev.irsa.micronaut.internal.UserCredentialsProviderAbsentCondition;
import dev.irsa.micronaut.internal.MicronautSettings;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.sdk.internal.IrsaMeterBinder;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Optional;

/**
 * Micrometer meters for the IRSA session, with the same names and tags as the Spring Boot starter's:
 * {@code irsa.credentials.expiry} (gauge, seconds), {@code irsa.credentials.refreshes} (counter, {@code outcome}),
 * {@code irsa.credentials.refresh} (timer, {@code outcome} and {@code trigger}),
 * {@code irsa.credentials.refresh.failures} (counter, {@code kind}), each also tagged {@code source}
 * ({@code web-identity} or {@code pod-identity}). A {@link MeterBinder} bean, which micronaut-micrometer binds to
 * every {@code MeterRegistry}; also a refresh listener of the provider bean. Present with Micrometer unless
 * {@code micronaut.metrics.enabled=false} or {@code micronaut.metrics.binders.irsa.enabled=false}.
 * @since 0.1.0
 */
@Factory
@Requires(classes = MeterBinder.class)
@Requires(property = "micronaut.metrics.enabled", notEquals = "false")
@Requires(property = "micronaut.metrics.binders.irsa.enabled", notEquals = "false")
@Requires(property = "irsa.enabled", notEquals = "false")
@Requires(condition = IrsaConfiguredCondition.class)
@Requires(condition = UserCredentialsProviderAbsentCondition.class)
public class IrsaMeters {
    /** Creates the factory; Micronaut instantiates it. */
    public IrsaMeters() {
    }

    /**
     * The meters; they read the expiry and refresh totals from the provider bean's session once it exists.
     *
     * @param environment the application's environment (which source the pod uses, for the {@code source} tag)
     * @param provider the provider bean, looked up when the meters are read (the provider takes the meters as a
     *                 listener when it is created)
     * @return a meter binder that is also a refresh listener
     */
    @Singleton
    public IrsaMeterBinder irsaMeterBinder(Environment environment, BeanProvider<IrsaCredentialsProvider> provider) {
        return new IrsaMeterBinder(Clock.systemUTC(), CredentialSource.detect(new MicronautSettings(environment))
                .orElse(CredentialSource.WEB_IDENTITY), () -> provider.isPresent() ? provider.get().state() : Optional.empty());
    }
}
