package dev.irsa.testkit;

import java.time.Duration;
import java.time.Instant;

/**
 * One request the {@link PodIdentityAgentEmulator} received: its outcome ({@code Success}, the agent's error code
 * such as {@code AccessDeniedException}, or {@code ConnectionReset}), the HTTP status (0 when dropped), the Host
 * header sent, the service account the token named (when it could be read), how long the emulator took, and a
 * fingerprint of the token (see {@link StsCall#fingerprint(String)}). Holds no secrets.
 *
 * @param at when the request arrived
 * @param outcome {@code Success}, the agent's error code, or {@code ConnectionReset}
 * @param status the HTTP status sent, 0 when the connection was dropped
 * @param host the {@code Host} header sent
 * @param subject the service account the token named, or null when it could not be read
 * @param latency how long the emulator took
 * @param tokenFingerprint the token's fingerprint (see {@link StsCall#fingerprint(String)})
 * @since 0.1.0
 */
public record PodIdentityCall(Instant at, String outcome, int status, String host, String subject, Duration latency,
                              String tokenFingerprint) {
    /** {@return whether the outcome is {@code Success}} */
    public boolean succeeded() {
        return "Success".equals(outcome);
    }
}
