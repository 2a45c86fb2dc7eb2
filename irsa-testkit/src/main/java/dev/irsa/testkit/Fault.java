package dev.irsa.testkit;

/**
 * A failure the {@link StsEmulator} can inject instead of answering: each reproduces what a client sees
 * when STS misbehaves that way. An answer that is right but arrives too slowly (a middlebox that passes it on a
 * byte at a time) is {@link StsEmulator.Faults#dripFeed(java.time.Duration)}.
 * @since 0.1.0
 */
public enum Fault {
    /** HTTP 400, {@code Throttling} (Type Sender): "Rate exceeded". */
    THROTTLING(400, "Throttling", "Sender", "Rate exceeded"),
    /** HTTP 500, {@code InternalFailure} (Type Receiver). */
    INTERNAL_ERROR(500, "InternalFailure", "Receiver",
            "The request processing has failed because of an unknown error, exception or failure."),
    /** HTTP 503, {@code ServiceUnavailable} (Type Receiver). */
    SERVICE_UNAVAILABLE(503, "ServiceUnavailable", "Receiver", "Service is unavailable. Please try again later."),
    /** HTTP 400, {@code IDPCommunicationError}: STS could not reach the identity provider (transient). */
    IDP_COMMUNICATION_ERROR(400, "IDPCommunicationError", "Sender",
            "The request could not be fulfilled because the identity provider (IDP) that was asked to verify the"
                    + " incoming identity token could not be reached. Please try again."),
    /** HTTP 400, {@code InvalidIdentityToken}, as if the token had just been rotated out. */
    INVALID_IDENTITY_TOKEN(400, "InvalidIdentityToken", "Sender",
            "The web identity token that was passed could not be validated by AWS. Get a new identity token from"
                    + " the identity provider and then retry the request."),
    /** HTTP 403, {@code RegionDisabledException}: STS is not activated in this region for the account. */
    REGION_DISABLED(403, "RegionDisabledException", "Sender",
            "STS is not activated in this region for account. Your account administrator can activate STS in this"
                    + " region using the IAM Console."),
    /** The connection is closed without any HTTP response (the client sees an I/O error). */
    CONNECTION_RESET(0, null, null, null),

    // What a proxy, load balancer or broken middlebox in front of STS answers: not an STS document at all.

    /** HTTP 503 with a {@code text/html} error page, as an nginx or corporate proxy sends when STS is unreachable. */
    HTML_503(503, "Html503", "text/html"),
    /** HTTP 502 with an empty body (a load balancer whose upstream closed the connection). */
    EMPTY_502(502, "Empty502", null),
    /** HTTP 200 whose XML is cut off mid-document (a connection dropped by a middlebox after the headers). */
    TRUNCATED_XML(200, "TruncatedXml", "text/xml"),
    /** HTTP 200 with a body that is not XML at all (a captive portal or a misrouted endpoint). */
    GARBAGE_200(200, "Garbage200", "text/plain"),
    /** HTTP 503 with a 50 MB {@code text/html} body, streamed (chunked): a client must not read it all. */
    HUGE_HTML_503(503, "HugeHtml503", "text/html"),
    /** HTTP 200 with a 50 MB XML body, streamed (chunked): a client must not read it all. */
    HUGE_200(200, "Huge200", "text/xml");

    /** How many bytes the {@code HUGE_*} faults send. */
    public static final long HUGE_BODY_BYTES = 50L * 1024 * 1024;

    final int status;
    final String code;
    final String type;
    final String message;
    /** For faults whose body is not an STS error document: the outcome recorded, and the Content-Type sent. */
    final String rawOutcome;
    final String contentType;

    Fault(int status, String code, String type, String message) {
        this.status = status;
        this.code = code;
        this.type = type;
        this.message = message;
        this.rawOutcome = null;
        this.contentType = null;
    }

    Fault(int status, String rawOutcome, String contentType) {
        this.status = status;
        this.code = null;
        this.type = null;
        this.message = null;
        this.rawOutcome = rawOutcome;
        this.contentType = contentType;
    }

    /**
     * The HTTP status sent (0 when the connection is dropped without an answer).
     *
     * @return the status code, or 0
     */
    public int status() {
        return status;
    }

    /**
     * Whether the answer is something other than an STS {@code ErrorResponse} (or no answer at all).
     *
     * @return true if the fault's answer is not an STS error document
     */
    public boolean notAnStsAnswer() {
        return code == null;
    }

    /**
     * The STS error code the client receives; {@code ConnectionReset}; or, for bodies that are not STS answers,
     * the fault's own name ({@code Html503}, {@code Empty502}, {@code TruncatedXml}, ...).
     *
     * @return the outcome recorded in the call log
     */
    public String outcome() {
        return code != null ? code : rawOutcome != null ? rawOutcome : "ConnectionReset";
    }
}
