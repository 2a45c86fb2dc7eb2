package dev.irsa.core;

import java.time.Instant;
import java.util.Objects;

/**
 * Temporary AWS credentials of an assumed-role session. Immutable. {@link #toString()} shows only the access
 * key ID's first and last four characters, the role session and the expiry: never the secret or the session token.
 */
public record IrsaCredentials(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration,
                              String assumedRoleArn) {
    public IrsaCredentials {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        Objects.requireNonNull(sessionToken, "sessionToken");
        Objects.requireNonNull(expiration, "expiration");
    }

    /** The access key ID with all but its first and last four characters masked ({@code ASIA…WXYZ}). */
    public String maskedAccessKeyId() {
        return accessKeyId.length() <= 4 ? "****" : accessKeyId.substring(0, 4) + "…" + accessKeyId.substring(accessKeyId.length() - 4);
    }

    @Override
    public String toString() {
        return "IrsaCredentials[accessKeyId=" + maskedAccessKeyId() + ", secretAccessKey=<redacted>, sessionToken=<redacted>,"
                + " expiration=" + expiration + ", assumedRoleArn=" + assumedRoleArn + "]";
    }
}
