package dev.irsa.core;

import java.time.Instant;
import java.util.Objects;

/**
 * Temporary AWS credentials of an assumed-role session. Immutable. {@link #toString()} shows only the access
 * key ID's first and last four characters, the role session and the expiry: never the secret or the session token.
 *
 * @param accessKeyId the access key ID
 * @param secretAccessKey the secret access key
 * @param sessionToken the session token
 * @param expiration when the credentials expire
 * @param assumedRoleArn the assumed-role ARN when the source names it (STS does; the Pod Identity agent does not)
 * @param accountId the 12-digit account, from the source or else from {@code assumedRoleArn}; may be null
 * @since 0.1.0
 */
public record IrsaCredentials(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration,
                              String assumedRoleArn, String accountId) {
    /**
     * Checks that the key, secret, token and expiry are present and derives {@code accountId} when it is null.
     *
     * @param accessKeyId the access key ID
     * @param secretAccessKey the secret access key
     * @param sessionToken the session token
     * @param expiration when the credentials expire
     * @param assumedRoleArn the assumed-role ARN when the source names it (STS does; the Pod Identity agent does not)
     * @param accountId the 12-digit account, from the source or else from {@code assumedRoleArn}; may be null
     */
    public IrsaCredentials {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        Objects.requireNonNull(sessionToken, "sessionToken");
        Objects.requireNonNull(expiration, "expiration");
        if (accountId == null) {
            accountId = accountOf(assumedRoleArn);
        }
    }

    /**
     * Credentials whose account is that of {@code assumedRoleArn} (what STS answers).
     *
     * @param accessKeyId the access key ID
     * @param secretAccessKey the secret access key
     * @param sessionToken the session token
     * @param expiration when the credentials expire
     * @param assumedRoleArn the assumed-role ARN, from which the account is taken; may be null
     */
    public IrsaCredentials(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration,
                           String assumedRoleArn) {
        this(accessKeyId, secretAccessKey, sessionToken, expiration, assumedRoleArn, null);
    }

    private static String accountOf(String arn) {
        if (arn == null) {
            return null;
        }
        String[] p = arn.split(":");
        return p.length > 4 && p[4].matches("\\d{12}") ? p[4] : null;
    }

    /**
     * The access key ID with all but its first and last four characters masked ({@code ASIA…WXYZ}).
     *
     * @return the masked access key ID, or {@code ****} when it has four characters or fewer
     */
    public String maskedAccessKeyId() {
        return accessKeyId.length() <= 4 ? "****" : accessKeyId.substring(0, 4) + "…" + accessKeyId.substring(accessKeyId.length() - 4);
    }

    @Override
    public String toString() {
        return "IrsaCredentials[accessKeyId=" + maskedAccessKeyId() + ", secretAccessKey=<redacted>, sessionToken=<redacted>,"
                + " expiration=" + expiration + ", assumedRoleArn=" + assumedRoleArn + ", accountId=" + accountId + "]";
    }
}
