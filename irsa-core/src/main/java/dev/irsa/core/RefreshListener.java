package dev.irsa.core;

import java.time.Duration;
import java.time.Instant;

/**
 * Hooks for metrics and logging around each refresh. Called on the refresh thread; implementations must be
 * quick and thread-safe, and must not block. An exception thrown by a listener is logged and ignored.
 * Events carry no secrets.
 * @since 0.1.0
 */
public interface RefreshListener {
    /** A refresh (one or more STS calls) begins. */
    default void onRefreshStarted(Started event) {
    }

    /** New credentials arrived. */
    default void onRefreshSucceeded(Succeeded event) {
    }

    /** The refresh failed; the engine will retry per its {@link RefreshPolicy}. */
    default void onRefreshFailed(Failed event) {
    }

    /** What caused a refresh. */
    enum Trigger {
        /** The first credentials (a caller, or eager start). */
        INITIAL,
        /** The background refresh ahead of expiry. */
        SCHEDULED,
        /** A retry after a failure. */
        RETRY,
        /** A caller found no valid credentials, or credentials inside the mandatory window. */
        CALLER
    }

    record Started(String roleArn, Trigger trigger, Instant at) {
    }

    record Succeeded(String roleArn, Trigger trigger, Duration duration, Instant expiration, int stsCalls) {
    }

    /**
     * @param errorCode the STS error code, or null for I/O, timeouts and local problems
     * @param credentialsStillValid whether callers are still being served valid cached credentials
     */
    record Failed(String roleArn, Trigger trigger, Duration duration, IrsaException.Kind kind, String errorCode,
                  String message, int consecutiveFailures, boolean credentialsStillValid, Duration nextAttemptIn) {
    }
}
