package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.IrsaException.Kind;
import dev.irsa.core.SessionState.Status;
import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SessionStateTest {
    @ParameterizedTest(name = "{0} after {1} -> {2}")
    @CsvSource(nullValues = "none", value = {
            "NOT_STARTED, none, UNKNOWN",
            "VALID, none, UP",
            "DEGRADED, RETRYABLE, UP",          // transient: the engine is retrying and the credentials work
            "DEGRADED, TOKEN, UP",
            // Still valid: taking every pod out of service at once for a trust-policy edit would turn a fixable
            // refresh problem into an outage. UP, with the error code and failure count in the details for alerts.
            "DEGRADED, NON_RECOVERABLE, UP",
            "DEGRADED, CONFIGURATION, UP",
            "FAILING, RETRYABLE, DOWN",
            "FAILING, NON_RECOVERABLE, DOWN",
            "CLOSED, none, DOWN"})
    void healthVerdicts(Status status, Kind lastError, String expected) {
        Instant exp = Instant.parse("2026-11-29T11:00:00Z");
        SessionState s = new SessionState(status, "arn:aws:iam::111122223333:role/app", URI.create("https://sts.us-west-2.amazonaws.com"),
                status == Status.NOT_STARTED ? null : exp, null, lastError == null ? null : "STS said no (test)", lastError,
                lastError == null ? null : "AccessDenied", lastError == null ? 0 : 2, "system:serviceaccount:default:app", 0);
        assertThat(s.healthStatus()).isEqualTo(expected);
        var details = s.details(Instant.parse("2026-11-29T10:30:00Z"));
        assertThat(details).containsEntry("status", status.name()).containsEntry("roleArn", "arn:aws:iam::111122223333:role/app");
        if (status != Status.NOT_STARTED) {
            assertThat(details).containsEntry("timeToExpiry", "PT30M");
        }
        if (lastError != null) {
            assertThat(details).containsEntry("errorCode", "AccessDenied").containsEntry("consecutiveFailures", 2);
        }
    }
}
