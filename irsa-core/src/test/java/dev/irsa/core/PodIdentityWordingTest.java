package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.internal.RefreshEngine;
import dev.irsa.testkit.ManualClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** An EKS Pod Identity session's messages and logs name Pod Identity and its agent, never "IRSA credentials". */
class PodIdentityWordingTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-29T10:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ScriptedExchange agent = new ScriptedExchange(clock);

    private RefreshEngine podIdentity() {
        return new RefreshEngine("EKS Pod Identity", URI.create("http://127.0.0.1:1/v1/credentials"),
                RefreshPolicy.builder().jitter(0).backgroundRefresh(false).build(), clock, ThreadLocalRandom.current(),
                agent, scheduler, null, CredentialSource.POD_IDENTITY);
    }

    @Test
    void messagesAndLogsSayEksPodIdentityCredentials() {
        RefreshEngine engine = podIdentity();
        try (LogCapture logs = new LogCapture()) {
            engine.credentials();
            clock.advance(Duration.ofMinutes(50));
            agent.failAlways(ScriptedExchange.retryable("ServiceUnavailable"));
            engine.credentials(Duration.ofMinutes(15)); // a failed refresh while valid: one WARN
            clock.advance(Duration.ofMinutes(11));
            assertThatThrownBy(engine::credentials).isInstanceOfSatisfying(IrsaException.class, e -> assertThat(
                    e.getMessage()).startsWith("EKS Pod Identity credentials expired at").doesNotContain("IRSA"));
            assertThat(logs.all()).contains("EKS Pod Identity credentials obtained from")
                    .contains("EKS Pod Identity refresh failed").contains("until the EKS Pod Identity agent answers")
                    .doesNotContain("IRSA credentials").doesNotContain("IRSA refresh");
        } finally {
            engine.close();
        }
        assertThatThrownBy(engine::credentials).hasMessage("The EKS Pod Identity session is closed");
    }
}
