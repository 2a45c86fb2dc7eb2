package dev.irsa.spring;

import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.sdk.internal.WarmUp;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * Asks for the first credentials as the context starts, without waiting for them: a broken trust policy shows in
 * health (and the logs) at startup instead of at the first real AWS call, and that call no longer pays for STS.
 * Uses the provider's async path, which never blocks, so startup takes as long as it did without it. Until the first
 * answer arrives (bounded by {@code irsa.refresh.wait-timeout}) the {@code irsa} health status stays {@code UNKNOWN}.
 * Whether to warm up and how is the adapter's {@link WarmUp}, shared with the other frameworks; this only ties it to
 * the context's lifecycle.
 *
 * <p>Stopping (or destroying) it withdraws a call still waiting, without waiting for it, so that no STS call or
 * scheduler thread starts on its behalf after the context closed.
 */
final class IrsaWarmUp implements SmartLifecycle, DisposableBean {
    private final IrsaCredentialsProvider provider;
    private final WarmUp warmUp = new WarmUp();
    private volatile boolean running;

    /** @param provider the provider to warm up: the single {@code IrsaCredentialsProvider} bean */
    IrsaWarmUp(IrsaCredentialsProvider provider) {
        this.provider = provider;
    }

    @Override
    public void start() {
        running = true;
        // irsa.warm-up=false leaves this bean out altogether
        warmUp.start(true, () -> provider);
    }

    @Override
    public void stop() {
        running = false;
        warmUp.withdraw();
    }

    /** Also when the context never stopped its lifecycles (a refresh that failed after the warm-up started). */
    @Override
    public void destroy() {
        warmUp.withdraw();
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
