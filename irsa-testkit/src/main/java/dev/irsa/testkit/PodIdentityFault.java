package dev.irsa.testkit;

/**
 * A failure the {@link PodIdentityAgentEmulator} can inject instead of answering, as the agent would send it. An
 * answer that is right but arrives a byte at a time is {@link PodIdentityAgentEmulator.Faults#dripFeed(java.time.Duration)}.
 *
 * @since 0.1.0
 */
public enum PodIdentityFault {
    /** HTTP 429, plain text: the agent (or EKS Auth behind it) throttled. */
    THROTTLED(429, "ThrottlingException", "Rate exceeded"),
    /** HTTP 500, plain text: the agent failed. */
    INTERNAL_ERROR(500, "InternalServerException", "An internal error occurred"),
    /** HTTP 503, plain text: EKS Auth unavailable. */
    SERVICE_UNAVAILABLE(503, "ServiceUnavailableException", "Service is unavailable. Please try again later."),
    /** HTTP 200 whose body is not the credentials JSON. */
    GARBAGE_200(200, null, "OK"),
    /** The connection is closed without any HTTP response. */
    CONNECTION_RESET(0, null, null);

    final int status;
    final String code;
    final String message;

    PodIdentityFault(int status, String code, String message) {
        this.status = status;
        this.code = code;
        this.message = message;
    }

    /** {@return the HTTP status sent (0 when the connection is dropped without an answer)} */
    public int status() {
        return status;
    }

    /**
     * The outcome recorded in the call log.
     *
     * @return the agent's error code, {@code Garbage200} or {@code ConnectionReset}
     */
    public String outcome() {
        return code != null ? code : this == GARBAGE_200 ? "Garbage200" : "ConnectionReset";
    }
}
