package dev.irsa.micronaut.internal;

import dev.irsa.micronaut.IrsaConfiguration;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.sdk.internal.WarmUp;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import jakarta.annotation.PreDestroy;

/**
 * Created with the context, so the provider is built (and its settings validated, and with
 * {@code irsa.eager-start=true} its first credentials fetched) while the application starts, failing the start when
 * that fails. On {@link StartupEvent} it asks for the first credentials without waiting for them (unless
 * {@code irsa.warm-up=false}): a broken trust policy shows in health and the logs at startup, and the first AWS call
 * does not pay for STS. It also holds a share of the session for the life of the context, since the AWS SDK closes a
 * client's credentials provider when the client closes. On shutdown it withdraws a warm-up still waiting and releases
 * its hold; the provider bean's own {@code close()} releases the rest.
 */
@Context
@Requires(property = "irsa.enabled", notEquals = "false")
@Requires(condition = IrsaConfiguredCondition.class)
@Requires(condition = UserCredentialsProviderAbsentCondition.class)
public final class IrsaStartup implements ApplicationEventListener<StartupEvent> {
    private final IrsaCredentialsProvider provider;
    private final IrsaCredentialsProvider hold;
    private final boolean enabled;
    private final WarmUp warmUp = new WarmUp();

    /**
     * Creates the startup hook.
     *
     * @param provider the IRSA provider bean
     * @param configuration the {@code irsa.*} settings
     */
    public IrsaStartup(IrsaCredentialsProvider provider, IrsaConfiguration configuration) {
        this.provider = provider;
        this.hold = provider.toBuilder().eagerStart(false).build();
        this.enabled = configuration.isWarmUp();
    }

    @Override
    public void onApplicationEvent(StartupEvent event) {
        warmUp.start(enabled, () -> provider); // whether, and how: the adapter's, as in the other frameworks
    }

    /** Withdraws a warm-up still waiting (without waiting for it) and releases this hold on the session. */
    @PreDestroy
    public void close() {
        warmUp.withdraw();
        hold.close();
    }
}
