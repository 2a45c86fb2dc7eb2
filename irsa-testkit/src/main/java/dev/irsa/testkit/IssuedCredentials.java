package dev.irsa.testkit;

import java.time.Instant;

/**
 * Credentials an emulator issued. {@link #toString()} never shows the secret key or the session token.
 *
 * @param accessKeyId the access key ID
 * @param secretAccessKey the secret access key
 * @param sessionToken the session token
 * @param expiration when the credentials expire
 * @param assumedRoleArn the assumed-role ARN ({@code arn:aws:sts::<account>:assumed-role/<role>/<session>})
 * @param accountId the 12-digit account
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
