package dev.irsa.core;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A consistent snapshot of a session for health checks, metrics and the CLI. Immutable; holds no secrets.
 *
 * @param status the session's condition
 * @param roleArn the role the session assumes
 * @param stsEndpoint the STS endpoint the token goes to
 * @param expiration expiry of the credentials being served, or null before the first success
 * @param lastRefresh when credentials last arrived, or null
 * @param lastError the last failure's message (null after a success)
 * @param lastErrorKind the class of the last failure (null after a success)
 * @param lastErrorCode the STS code of the last failure, if STS gave one
 * @param consecutiveFailures how many refreshes in a row have failed, up to the latest
 * @param subject {@code sub} of the last token read, for diagnostics
 * @param callersWaited how many calls so far had to wait for a refresh (the first credentials, the mandatory window):
 *        the number to watch if requests are ever slow because of credentials
 * @param source where credentials come from: {@code web-identity} (IRSA) or {@code pod-identity} (EKS Pod Identity);
 *        for Pod Identity {@code roleArn} names the source (the agent does not say which role) and {@code stsEndpoint}
 *        is the agent's URI
 * @param refreshes how many refreshes of this session have succeeded since it started, whoever asked for them and
 *        whether or not anyone listened (a config-data import's, before the application's meters existed, included);
 *        credentials resumed from an earlier session are not a refresh, but a session that goes on from a closed one
 *        ({@link IrsaSession#resumeFrom}, a provider taken up again) counts on from its counts, so they never go back
 * @param failedRefreshes how many refreshes of this session have failed since it started, counted on in the same way
 * @param clockAhead whether the credentials held looked expired, or too short to use, by this machine's clock when
 *        they arrived and are served for a while all the same ({@link RefreshPolicy#minimumRefreshInterval()}): this
 *        clock is then most likely ahead of AWS's, and errors about credentials' expiry should say to check NTP
 * @since 0.1.0
 */
public record SessionState(Status status, String roleArn, URI stsEndpoint, Instant expiration, Instant lastRefresh,
                           String lastError, IrsaException.Kind lastErrorKind, String lastErrorCode,
                           int consecutiveFailures, String subject, long callersWaited, String source,
                           long refreshes, long failedRefreshes, boolean clockAhead) {
    /**
     * A state that says nothing of this machine's clock ({@code clockAhead} false).
     *
     * @param status the session's condition
     * @param roleArn the role the session assumes
     * @param stsEndpoint the STS endpoint the token goes to
     * @param expiration expiry of the credentials being served, or null before the first success
     * @param lastRefresh when credentials last arrived, or null
     * @param lastError the last failure's message (null after a success)
     * @param lastErrorKind the class of the last failure (null after a success)
     * @param lastErrorCode the STS code of the last failure, if STS gave one
     * @param consecutiveFailures how many refreshes in a row have failed, up to the latest
     * @param subject {@code sub} of the last token read, for diagnostics
     * @param callersWaited how many calls so far had to wait for a refresh
     * @param source {@code web-identity} or {@code pod-identity}
     * @param refreshes how many refreshes have succeeded
     * @param failedRefreshes how many refreshes have failed
     */
    public SessionState(Status status, String roleArn, URI stsEndpoint, Instant expiration, Instant lastRefresh,
                        String lastError, IrsaException.Kind lastErrorKind, String lastErrorCode,
                        int consecutiveFailures, String subject, long callersWaited, String source,
                        long refreshes, long failedRefreshes) {
        this(status, roleArn, stsEndpoint, expiration, lastRefresh, lastError, lastErrorKind, lastErrorCode,
                consecutiveFailures, subject, callersWaited, source, refreshes, failedRefreshes, false);
    }

    /**
     * A state without refresh counts (both zero).
     *
     * @param status the session's condition
     * @param roleArn the role the session assumes
     * @param stsEndpoint the STS endpoint the token goes to
     * @param expiration expiry of the credentials being served, or null before the first success
     * @param lastRefresh when credentials last arrived, or null
     * @param lastError the last failure's message (null after a success)
     * @param lastErrorKind the class of the last failure (null after a success)
     * @param lastErrorCode the STS code of the last failure, if STS gave one
     * @param consecutiveFailures how many refreshes in a row have failed, up to the latest
     * @param subject {@code sub} of the last token read, for diagnostics
     * @param callersWaited how many calls so far had to wait for a refresh
     * @param source {@code web-identity} or {@code pod-identity}
     */
    public SessionState(Status status, String roleArn, URI stsEndpoint, Instant expiration, Instant lastRefresh,
                        String lastError, IrsaException.Kind lastErrorKind, String lastErrorCode,
                        int consecutiveFailures, String subject, long callersWaited, String source) {
        this(status, roleArn, stsEndpoint, expiration, lastRefresh, lastError, lastErrorKind, lastErrorCode,
                consecutiveFailures, subject, callersWaited, source, 0, 0);
    }

    /**
     * A state of an IRSA ({@code web-identity}) session.
     *
     * @param status the session's condition
     * @param roleArn the role the session assumes
     * @param stsEndpoint the STS endpoint the token goes to
     * @param expiration expiry of the credentials being served, or null before the first success
     * @param lastRefresh when credentials last arrived, or null
     * @param lastError the last failure's message (null after a success)
     * @param lastErrorKind the class of the last failure (null after a success)
     * @param lastErrorCode the STS code of the last failure, if STS gave one
     * @param consecutiveFailures how many refreshes in a row have failed, up to the latest
     * @param subject {@code sub} of the last token read, for diagnostics
     * @param callersWaited how many calls so far had to wait for a refresh
     */
    public SessionState(Status status, String roleArn, URI stsEndpoint, Instant expiration, Instant lastRefresh,
                        String lastError, IrsaException.Kind lastErrorKind, String lastErrorCode,
                        int consecutiveFailures, String subject, long callersWaited) {
        this(status, roleArn, stsEndpoint, expiration, lastRefresh, lastError, lastErrorKind, lastErrorCode,
                consecutiveFailures, subject, callersWaited, CredentialSource.WEB_IDENTITY.tag());
    }

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

    /**
     * Whether callers can get credentials now.
     *
     * @return true if the status is {@code VALID} or {@code DEGRADED}
     */
    public boolean healthy() {
        return status == Status.VALID || status == Status.DEGRADED;
    }

    /**
     * The verdict for a health endpoint, as a status code Spring Boot and most health checkers know, meaning what a
     * readiness probe needs: {@code UP} while valid credentials are held, even when the last refresh failed, for
     * whatever reason (the details carry the error code, consecutive failures and time to expiry, for alerts);
     * {@code DOWN} when no valid credentials are held (expired, none could be had, or closed); {@code UNKNOWN}
     * before the first credentials arrived or failed (not started, or the first fetch still in flight).
     *
     * <p>A non-recoverable error (trust policy, OIDC provider) while credentials remain is deliberately {@code UP}:
     * a bad IAM edit reaches every pod at once, and {@code DOWN} would take them all out of service while they can
     * still work for up to the session's lifetime. Alert on the details instead.
     *
     * @return {@code UP}, {@code DOWN} or {@code UNKNOWN}
     */
    public String healthStatus() {
        if (status == Status.NOT_STARTED) {
            return "UNKNOWN";
        }
        return healthy() ? "UP" : "DOWN";
    }

    /**
     * Details for a health endpoint: status, role, endpoint, expiry and time left, last refresh, {@code clockAhead}
     * when set, and on failure the error (whose message says what to fix). Never a secret. Absent values are left out.
     *
     * @param now the current time, for the time left before expiry
     * @return the details, in a stable order
     */
    public Map<String, Object> details(Instant now) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("status", status.name());
        d.put("source", source);
        d.put("roleArn", roleArn);
        if (stsEndpoint != null) {
            d.put(CredentialSource.POD_IDENTITY.tag().equals(source) ? "agentEndpoint" : "stsEndpoint",
                    stsEndpoint.toString());
        }
        if (expiration != null) {
            d.put("expiration", expiration.toString());
            d.put("timeToExpiry", Duration.between(now, expiration).isNegative() ? "expired"
                    : Duration.between(now, expiration).withNanos(0).toString());
        }
        if (lastRefresh != null) {
            d.put("lastRefresh", lastRefresh.toString());
        }
        if (subject != null) {
            d.put("subject", subject);
        }
        if (clockAhead) {
            d.put("clockAhead", true); // served past what this clock says: check NTP on the node
        }
        if (lastError != null) {
            d.put("consecutiveFailures", consecutiveFailures);
            d.put("error", lastError);
            if (lastErrorCode != null) {
                d.put("errorCode", lastErrorCode);
            }
        }
        return d;
    }
}
