package dev.irsa.rds;

/**
 * No authentication token could be signed, because no credentials could be had. The message names the endpoint and
 * the credential problem; it never holds a token or secret.
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
    }
}
