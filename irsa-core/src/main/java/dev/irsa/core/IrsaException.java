package dev.irsa.core;

import java.util.Optional;

/**
 * Why IRSA credentials could not be had, with a message that says what to check. Messages never contain the
 * web identity token, a secret access key or a session token.
 *
 * <p>{@link #kind()} tells a caller what to expect of a retry: {@link Kind#RETRYABLE} failures usually go away
 * by themselves (the engine keeps retrying in the background); the others need a change of configuration,
 * IAM or the cluster.
 * @since 0.1.0
 */
public class IrsaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The class of failure. */
    public enum Kind {
        /** A required setting is missing or malformed (role ARN, token file, region, session name, ...). */
        CONFIGURATION,
        /** The token file is missing, unreadable, empty, not a JWT, or expired. */
        TOKEN,
        /** STS throttled, failed (5xx), could not reach the identity provider, or the network failed. */
        RETRYABLE,
        /** STS refused in a way a retry will not fix: trust policy, OIDC provider, session policy, region. */
        NON_RECOVERABLE,
        /** Waiting for STS took longer than allowed. */
        TIMEOUT,
        /** The session was closed. */
        CLOSED
    }

    /** The class of failure. */
    private final Kind kind;
    /** The STS error code, or null when STS did not answer with one. */
    private final String stsErrorCode;

    /**
     * Creates an exception.
     *
     * @param kind the class of failure
     * @param stsErrorCode the STS error code, or null when STS did not answer with one
     * @param message what went wrong and what to check
     * @param cause the underlying failure, or null
     */
    public IrsaException(Kind kind, String stsErrorCode, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.stsErrorCode = stsErrorCode;
    }

    /**
     * Creates an exception without an STS error code or cause.
     *
     * @param kind the class of failure
     * @param message what went wrong and what to check
     */
    public IrsaException(Kind kind, String message) {
        this(kind, null, message, null);
    }

    /** {@return the class of failure} */
    public Kind kind() {
        return kind;
    }

    /**
     * The STS error code ({@code AccessDenied}, {@code InvalidIdentityToken}, ...) when STS answered with one.
     *
     * @return the STS error code, or empty
     */
    public Optional<String> stsErrorCode() {
        return Optional.ofNullable(stsErrorCode);
    }

    /**
     * Whether retrying later may succeed without anyone changing anything.
     *
     * @return true for {@link Kind#RETRYABLE}, {@link Kind#TIMEOUT} and {@link Kind#TOKEN}
     */
    public boolean isRetryable() {
        return kind == Kind.RETRYABLE || kind == Kind.TIMEOUT || kind == Kind.TOKEN;
    }
}
