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
    /**
     * A refresh (one or more STS calls) begins.
     *
     * @param event the role, trigger and start time
     */
    default void onRefreshStarted(Started event) {
    }

    /**
     * New credentials arrived.
     *
     * @param event the role, trigger, time taken, new expiry and number of STS calls
     */
    default void onRefreshSucceeded(Succeeded event) {
    }

    /**
     * The refresh failed; the engine will retry per its {@link RefreshPolicy}.
     *
     * @param event what failed, why, and when the next attempt is
     */
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

    /**
     * A refresh begins.
     *
     * @param roleArn the role being refreshed ({@code EKS Pod Identity} for a Pod Identity session)
     * @param trigger what caused the refresh
     * @param at when it began
     */
    record Started(String roleArn, Trigger trigger, Instant at) {
    }

    /**
     * A refresh succeeded.
     *
     * @param roleArn the role being refreshed ({@code EKS Pod Identity} for a Pod Identity session)
     * @param trigger what caused the refresh
     * @param duration how long the refresh took
     * @param expiration when the new credentials expire
     * @param stsCalls how many STS calls the refresh made
     */
    record Succeeded(String roleArn, Trigger trigger, Duration duration, Instant expiration, int stsCalls) {
    }

    /**
     * A refresh failed.
     *
     * @param roleArn the role being refreshed ({@code EKS Pod Identity} for a Pod Identity session)
     * @param trigger what caused the refresh
     * @param duration how long the failed attempt took
     * @param kind the class of failure
     * @param errorCode the STS error code, or null for I/O, timeouts and local problems
     * @param message the failure's message (what went wrong and what to check)
     * @param consecutiveFailures how many refreshes have failed in a row, this one included
     * @param credentialsStillValid whether callers are still being served valid cached credentials
     * @param nextAttemptIn how long until the next attempt
     */
    record Failed(String roleArn, Trigger trigger, Duration duration, IrsaException.Kind kind, String errorCode,
                  String message, int consecutiveFailures, boolean credentialsStillValid, Duration nextAttemptIn) {
    }
}
