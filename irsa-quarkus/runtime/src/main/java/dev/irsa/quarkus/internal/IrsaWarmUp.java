package dev.irsa.quarkus.internal;

import dev.irsa.quarkus.IrsaRuntimeConfig;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;

/**
 * Asks for the first credentials as the application starts, without waiting for them (the provider's async path
 * never blocks): a broken trust policy shows in the readiness check and the logs at startup, and the first real AWS
 * call does not pay for STS. A call still pending at shutdown is withdrawn.
 */
@Singleton
public class IrsaWarmUp {
    private static final Logger log = Logger.getLogger(IrsaWarmUp.class);
    private final InjectableInstance<IrsaCredentialsProvider> bean;
    private final IrsaRuntimeConfig config;
    private volatile CompletableFuture<? extends AwsCredentialsIdentity> pending;

    IrsaWarmUp(InjectableInstance<IrsaCredentialsProvider> bean, IrsaRuntimeConfig config) {
        this.bean = bean;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        if (!config.active() || !config.warmUp() || config.eagerStart()) {
            return; // deactivated; or eager start already fetched them
        }
        IrsaCredentialsProvider provider = bean.get();
        if (provider.unavailableReason().isPresent()) {
            return; // an unconfigured provider would only fail
        }
        CompletableFuture<? extends AwsCredentialsIdentity> call = provider.resolveIdentity(
                ResolveIdentityRequest.builder().build());
        pending = call;
        call.whenComplete((identity, error) -> {
            if (call.isCancelled()) {
                log.debug("IRSA warm-up withdrawn: the application stopped before credentials came");
            } else if (error == null) {
                log.debug("IRSA warm-up: credentials ready");
            } else {
                // the engine logs the failure with its cause and fix; this says only that startup went on
                log.debug("IRSA warm-up did not get credentials; the application keeps starting, readiness shows why");
            }
        });
    }

    /**
     * The warm-up's call, for tests to wait on.
     *
     * @return the call made at startup, or empty when none was made
     */
    public Optional<CompletableFuture<? extends AwsCredentialsIdentity>> pending() {
        return Optional.ofNullable(pending);
    }

    void stop(@Observes ShutdownEvent event) {
        CompletableFuture<? extends AwsCredentialsIdentity> call = pending;
        if (call != null) {
            call.cancel(false); // no-op once answered
        }
    }
}
