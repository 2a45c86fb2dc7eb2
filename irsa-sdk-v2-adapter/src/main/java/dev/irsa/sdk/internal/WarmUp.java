package dev.irsa.sdk.internal;

import dev.irsa.core.SessionState;
import dev.irsa.sdk.IrsaCredentialsProvider;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;

/**
 * The warm-up each framework integration makes as the application starts: asks for the first credentials through the
 * provider's async path, which never blocks, so a broken trust policy shows in health and the logs at startup and the
 * first AWS call does not pay for STS; logs the outcome at DEBUG; withdraws a call still pending at shutdown. The
 * frameworks only call {@link #start} and {@link #withdraw} from their lifecycle hooks, so whether to warm up, and how,
 * is decided here once. Not part of the stable API. Thread-safe.
 */
public final class WarmUp {
    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
    private volatile Call current;

    /** The provider's future, which withdrawing cancels, and what completes once its outcome is logged. */
    private record Call(CompletableFuture<AwsCredentialsIdentity> asked,
                        CompletableFuture<AwsCredentialsIdentity> logged) {
    }

    /** Creates a warm-up that has not started. */
    public WarmUp() {
    }

    /**
     * Asks for the first credentials, without waiting for them, when a warm-up is worth making: the setting is on,
     * the provider can supply credentials at all (an unavailable one would only fail, and says why elsewhere), and its
     * session does not hold valid credentials already. The provider's own state decides the last, not a setting: eager
     * start fetched them whoever built the provider (the framework, or the application's own bean), and so may another
     * integration sharing the session. May be called again after {@link #withdraw()} (a restarted context).
     *
     * @param enabled the framework's warm-up setting
     * @param provider the provider, only asked for when the setting calls for a warm-up
     * @return whether a call was started
     */
    public boolean start(boolean enabled, Supplier<IrsaCredentialsProvider> provider) {
        if (!enabled) {
            return false;
        }
        IrsaCredentialsProvider p = provider.get();
        if (p.unavailableReason().isPresent() || p.state().map(SessionState::healthy).orElse(false)) {
            return false;
        }
        CompletableFuture<AwsCredentialsIdentity> c = p.resolveIdentity(ResolveIdentityRequest.builder().build());
        // Fixed words only: neither the credentials nor the failure's message (the engine logs that with its fix).
        CompletableFuture<AwsCredentialsIdentity> logged = c.whenComplete((identity, error) -> {
            if (c.isCancelled()) {
                log.debug("IRSA warm-up withdrawn: the application stopped before credentials came");
            } else if (error == null) {
                log.debug("IRSA warm-up: credentials ready");
            } else {
                log.debug("IRSA warm-up did not get credentials; the application keeps starting, its health check"
                        + " shows why");
            }
        });
        current = new Call(c, logged);
        return true;
    }

    /**
     * Withdraws the call if it is still pending, without waiting for it. The provider answers a call under way when
     * its session closes (another SDK client may have closed it) from a session of its own; a withdrawn call it does
     * not answer, so no STS call or scheduler thread starts for it after the application stopped. Idempotent; a no-op
     * once answered or when nothing was started.
     */
    public void withdraw() {
        Call c = current;
        if (c != null) {
            c.asked().cancel(false); // a no-op once answered
        }
    }

    /**
     * The latest call, for tests to wait on: it completes as the call does, once its outcome is logged. Cancelling it
     * does not withdraw the call (see {@link #withdraw()}).
     *
     * @return the call made by {@link #start}, or empty when none was made
     */
    public Optional<CompletableFuture<? extends AwsCredentialsIdentity>> pending() {
        Call c = current;
        return c == null ? Optional.empty() : Optional.of(c.logged());
    }
}
