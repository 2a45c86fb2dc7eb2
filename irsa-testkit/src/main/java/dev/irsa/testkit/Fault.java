package dev.irsa.testkit;

/**
 * A failure the {@link StsEmulator} can inject instead of answering: each reproduces what a client sees
 * when STS misbehaves that way.
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
    CONNECTION_RESET(0, null, null, null);

    final int status;
    final String code;
    final String type;
    final String message;

    Fault(int status, String code, String type, String message) {
        this.status = status;
        this.code = code;
        this.type = type;
        this.message = message;
    }

    /** The STS error code the client receives, or {@code ConnectionReset}. */
    public String outcome() {
        return code != null ? code : "ConnectionReset";
    }
}
