package dev.irsa.spring;

import dev.irsa.sdk.IrsaCredentialsProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;

/**
 * Asks for the first credentials as the context starts, without waiting for them: a broken trust policy shows in
 * health (and the logs) at startup instead of at the first real AWS call, and that call no longer pays for STS.
 * Uses the provider's async path, which never blocks, so startup takes as long as it did without it. Until the first
 * answer arrives (bounded by {@code irsa.refresh.wait-timeout}) the {@code irsa} health status stays {@code UNKNOWN}.
 */
final class IrsaWarmUp implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(IrsaWarmUp.class);
    private final IrsaCredentialsProvider provider;
    private volatile boolean running;

    IrsaWarmUp(IrsaCredentialsProvider provider) {
        this.provider = provider;
    }

    @Override
    public void start() {
        running = true;
        provider.resolveIdentity(ResolveIdentityRequest.builder().build()).whenComplete((identity, error) -> {
            if (error == null) {
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
