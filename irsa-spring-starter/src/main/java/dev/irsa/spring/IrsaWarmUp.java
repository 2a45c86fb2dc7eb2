package dev.irsa.spring;

import dev.irsa.sdk.IrsaCredentialsProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.concurrent.CompletableFuture;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;

/**
 * Asks for the first credentials as the context starts, without waiting for them: a broken trust policy shows in
 * health (and the logs) at startup instead of at the first real AWS call, and that call no longer pays for STS.
 * Uses the provider's async path, which never blocks, so startup takes as long as it did without it. Until the first
 * answer arrives (bounded by {@code irsa.refresh.wait-timeout}) the {@code irsa} health status stays {@code UNKNOWN}.
 *
 * <p>Stopping (or destroying) it withdraws a call still waiting, without waiting for it: the provider answers a call
 * under way when its session closes from a session of its own (another SDK client may have closed it), so a warm-up
 * left pending would make a fresh STS call, and start a scheduler thread, after the context closed.
 */
final class IrsaWarmUp implements SmartLifecycle, DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(IrsaWarmUp.class);
    private final IrsaCredentialsProvider provider;
    private volatile boolean running;
    private volatile CompletableFuture<? extends AwsCredentialsIdentity> pending;

    IrsaWarmUp(IrsaCredentialsProvider provider) {
        this.provider = provider;
    }

    @Override
    public void start() {
        running = true;
        CompletableFuture<? extends AwsCredentialsIdentity> call = provider.resolveIdentity(
                ResolveIdentityRequest.builder().build());
        pending = call;
        call.whenComplete((identity, error) -> {
            if (call.isCancelled()) {
                log.debug("IRSA warm-up withdrawn: the context stopped before credentials came");
            } else if (error == null) {
                log.debug("IRSA warm-up: credentials ready");
            } else {
                // The engine logs the failure with its cause and fix; this says only that startup went on.
                log.debug("IRSA warm-up did not get credentials; the application keeps starting, health shows why");
            }
        });
    }

    @Override
    public void stop() {
        running = false;
        withdraw();
    }

    /** Also when the context never stopped its lifecycles (a refresh that failed after the warm-up started). */
    @Override
    public void destroy() {
        withdraw();
    }

    private void withdraw() {
        CompletableFuture<? extends AwsCredentialsIdentity> call = pending;
        if (call != null) {
            call.cancel(false); // no-op once answered
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Early among lifecycles: before the web server starts taking requests, so the fetch overlaps its start. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE / 2;
    }
}
