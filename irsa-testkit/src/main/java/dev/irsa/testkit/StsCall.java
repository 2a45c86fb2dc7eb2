package dev.irsa.testkit;

import java.time.Duration;
import java.time.Instant;

/**
 * One request the {@link StsEmulator} received: the action, its outcome ({@code Success}, an STS error code,
 * or {@code ConnectionReset}), the HTTP status (0 when the connection was dropped), the role and session
 * asked for (when given), how long the emulator took (including injected latency), and a fingerprint of the
 * web identity token sent (the first 16 hex digits of its SHA-256, so tests can tell tokens apart; null when
 * none was sent). Holds no secrets.
 *
 * @param at when the request arrived
 * @param action the STS action, e.g. {@code AssumeRoleWithWebIdentity}
 * @param outcome {@code Success}, an STS error code, or {@code ConnectionReset}
 * @param status the HTTP status sent, 0 when the connection was dropped
 * @param roleArn the role asked for, or null
 * @param roleSessionName the session name asked for, or null
 * @param latency how long the emulator took, injected latency included
 * @param tokenFingerprint the token's fingerprint, or null when no token was sent
 * @since 0.1.0
 */
public record StsCall(Instant at, String action, String outcome, int status, String roleArn, String roleSessionName,
                      Duration latency, String tokenFingerprint) {
    /**
     * The fingerprint {@link StsCall#tokenFingerprint()} uses.
     *
     * @param token the web identity token, or null
     * @return the first 16 hex digits of the token's SHA-256, or null when {@code token} is null
     */
    public static String fingerprint(String token) {
        if (token == null) {
            return null;
        }
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@return whether the outcome is {@code Success}} */
    public boolean succeeded() {
        return "Success".equals(outcome);
    }
}
