package dev.irsa.core;

import java.net.URI;
import java.time.Instant;

/**
 * A consistent snapshot of a session for health checks, metrics and the CLI. Immutable; holds no secrets.
 *
 * @param expiration expiry of the credentials being served, or null before the first success
 * @param lastRefresh when credentials last arrived, or null
 * @param lastError the last failure's message (null after a success)
 * @param lastErrorCode the STS code of the last failure, if STS gave one
 * @param subject {@code sub} of the last token read, for diagnostics
 */
public record SessionState(Status status, String roleArn, URI stsEndpoint, Instant expiration, Instant lastRefresh,
                           String lastError, IrsaException.Kind lastErrorKind, String lastErrorCode,
                           int consecutiveFailures, String subject) {
    /** The session's condition. */
    public enum Status {
        /** No credentials asked for yet. */
        NOT_STARTED,
        /** Valid credentials, last refresh succeeded. */
        VALID,
        /** Valid cached credentials are served while refreshes fail. */
        DEGRADED,
        /** No valid credentials: they expired, or none could be had. */
        FAILING,
        /** Closed. */
        CLOSED
    }

    /** Whether callers can get credentials now. */
    public boolean healthy() {
        return status == Status.VALID || status == Status.DEGRADED;
    }
}
