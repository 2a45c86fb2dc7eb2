package dev.irsa.micronaut.internal;

import dev.irsa.micronaut.IrsaConfiguration;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;

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
    private static final Logger log = LoggerFactory.getLogger(IrsaStartup.class);
    private final IrsaCredentialsProvider provider;
    private final IrsaCredentialsProvider hold;
    private final boolean warmUp;
    private volatile CompletableFuture<? extends AwsCredentialsIdentity> pending;

    /**
     * Creates the startup hook.
     *
     * @param provider the IRSA provider bean
     * @param configuration the {@code irsa.*} settings
     */
    public IrsaStartup(IrsaCredentialsProvider provider, IrsaConfiguration configuration) {
        this.provider = provider;
        this.hold = provider.toBuilder().eagerStart(false).build();
        this.warmUp = configuration.isWarmUp() && !configuration.isEagerStart();
    }

    @Override
    public void onApplicationEvent(StartupEvent event) {
        if (!warmUp) {
            return;
        }
        // The async path never blocks: with cached credentials it answers at once, else STS is called off this thread.
        CompletableFuture<? extends AwsCredentialsIdentity> call = provider.resolveIdentity(
                ResolveIdentityRequest.builder().build());
        pending = call;
        call.whenComplete((identity, error) -> {
            if (call.isCancelled()) {
                log.debug("IRSA warm-up withdrawn: the application stopped before credentials came");
            } else if (error == null) {
                log.debug("IRSA warm-up: credentials ready");
            } else {
                // The engine logs the failure with its cause and fix; this says only that startup went on.
                log.debug("IRSA warm-up did not get credentials; the application keeps starting, health shows why");
            }
        });
    }

    /** Withdraws a warm-up still waiting (without waiting for it) and releases this hold on the session. */
    @PreDestroy
    public void close() {
        CompletableFuture<? extends AwsCredentialsIdentity> call = pending;
        if (call != null) {
            call.cancel(false);
        }
        hold.close();
    }
}
