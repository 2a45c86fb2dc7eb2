package dev.irsa.rds;

import dev.irsa.core.SessionState;
import java.util.Optional;

/**
 * No authentication token could be signed, because no credentials could be had, or none that would still be valid when
 * the database checks the token. The message names the endpoint and the credential problem (for an IRSA session, its
 * last error: what STS said); it never holds a token or secret.
 *
 * @since 0.1.0
 */
public final class RdsAuthTokenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure to sign a token.
     *
     * @param message what failed and what to check
     * @param cause the credential provider's exception
     */
    public RdsAuthTokenException(String message, Throwable cause) {
        super(message, cause);
        this.sessionState = null;
    }

    /**
     * A refusal to sign with credentials about to expire.
     *
     * @param message what failed and what to check
     * @param sessionState the IRSA session's state (its last error included), or null for another provider
     */
    public RdsAuthTokenException(String message, SessionState sessionState) {
        super(message);
        this.sessionState = sessionState;
    }

    /** Not serialized: a snapshot for the thread that caught this, not for another JVM. */
    private final transient SessionState sessionState;

    /**
     * The IRSA session's state when this was thrown: its expiry, last error, error code and failure count.
     *
     * @return the state, or empty when the credentials do not come from an IRSA session or no credentials came at all
     */
    public Optional<SessionState> sessionState() {
        return Optional.ofNullable(sessionState);
    }
}
