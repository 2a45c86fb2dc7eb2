package dev.irsa.testkit;

import java.time.Duration;
import java.time.Instant;

/**
 * One request the {@link StsEmulator} received: the action, its outcome ({@code Success}, an STS error code,
 * or {@code ConnectionReset}), the HTTP status (0 when the connection was dropped), the role and session
 * asked for (when given) and how long the emulator took (including injected latency). Holds no secrets.
 */
public record StsCall(Instant at, String action, String outcome, int status, String roleArn, String roleSessionName,
                      Duration latency) {
    public boolean succeeded() {
        return "Success".equals(outcome);
    }
}
