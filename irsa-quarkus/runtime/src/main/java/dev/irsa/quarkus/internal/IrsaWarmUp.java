package dev.irsa.quarkus.internal;

import dev.irsa.quarkus.IrsaRuntimeConfig;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.sdk.internal.WarmUp;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Asks for the first credentials as the application starts, without waiting for them (the provider's async path
 * never blocks): a broken trust policy shows in the readiness check and the logs at startup, and the first real AWS
 * call does not pay for STS. A call still pending at shutdown is withdrawn. Whether to warm up and how is the adapter's
 * {@link WarmUp}, shared with the other frameworks; this only ties it to Quarkus's events.
 */
@Singleton
public class IrsaWarmUp {
    private final InjectableInstance<IrsaCredentialsProvider> bean;
    private final IrsaRuntimeConfig config;
    private final WarmUp warmUp = new WarmUp();

    IrsaWarmUp(InjectableInstance<IrsaCredentialsProvider> bean, IrsaRuntimeConfig config) {
        this.bean = bean;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        if (!config.active()) {
            return; // deactivated: the provider bean must not even be looked up
        }
        warmUp.start(config.warmUp(), bean::get);
    }

    /**
     * The warm-up's call, for tests to wait on.
     *
     * @return the call made at startup, or empty when none was made
     */
    public Optional<CompletableFuture<? extends AwsCredentialsIdentity>> pending() {
        return warmUp.pending();
    }

    void stop(@Observes ShutdownEvent event) {
        warmUp.withdraw();
    }
}
