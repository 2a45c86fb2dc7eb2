package dev.irsa.testkit;

import java.time.Instant;

/**
 * Credentials an emulator issued. {@link #toString()} never shows the secret key or the session token.
 * @since 0.1.0
 */
public record IssuedCredentials(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration,
                                String assumedRoleArn, String accountId) {
    @Override
    public String toString() {
        return "IssuedCredentials[accessKeyId=" + accessKeyId + ", expiration=" + expiration + ", assumedRoleArn="
                + assumedRoleArn + "]";
    }
}
