package dev.irsa.testkit;

import java.time.Duration;
import java.time.Instant;

/**
 * One request the {@link PodIdentityAgentEmulator} received: its outcome ({@code Success}, the agent's error code
 * such as {@code AccessDeniedException}, or {@code ConnectionReset}), the HTTP status (0 when dropped), the Host
 * header sent, the service account the token named (when it could be read), how long the emulator took, and a
 * fingerprint of the token (see {@link StsCall#fingerprint(String)}). Holds no secrets.
 * @since 0.1.0
 */
public record PodIdentityCall(Instant at, String outcome, int status, String host, String subject, Duration latency,
                              String tokenFingerprint) {
    public boolean succeeded() {
        return "Success".equals(outcome);
    }
}
