package dev.irsa.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.IrsaCredentials;
import dev.irsa.core.RefreshPolicy;
import dev.irsa.testkit.ManualClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A CRaC checkpoint restored two hours later, played through the hook CRaC would call, on the real shared
 * scheduler (its timers are on the monotonic clock, which a restore carries over, so none of them fires).
 */
class CheckpointHookTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-29T10:00:00Z"));
    private final AtomicInteger calls = new AtomicInteger();

    private final CredentialExchange oneHourCredentials = maxAttempts -> {
        int n = calls.incrementAndGet();
        return new ExchangeResult(new IrsaCredentials("ASIACHECKPOINT" + n, "secret-" + n, "token-" + n,
                clock.instant().plus(Duration.ofHours(1)), null), null, 1);
    };

    private RefreshEngine engineOnTheSharedScheduler() {
        SharedScheduler scheduler = SharedScheduler.acquire();
        return new RefreshEngine("arn:aws:iam::111122223333:role/app", URI.create("http://127.0.0.1:1"),
                RefreshPolicy.defaults(), clock, ThreadLocalRandom.current(), oneHourCredentials, scheduler,
                scheduler::release);
    }

    @Test
    void aRestoredProcessNeverServesCredentialsThatExpiredWhileItWasCheckpointed() throws Exception {
        RefreshEngine engine = engineOnTheSharedScheduler();
        try {
            IrsaCredentials before = engine.credentials();
            assertThat(calls).hasValue(1);

            CheckpointHook.resource().beforeCheckpoint(null);
            clock.advance(Duration.ofHours(2)); // restored two hours later: the credentials expired an hour ago
            // A caller that runs between the restore and the hook's afterRestore already checks the clock.
            IrsaCredentials between = engine.credentials();
            assertThat(between.expiration()).isAfter(clock.instant());
            CheckpointHook.resource().afterRestore(null);

            IrsaCredentials after = engine.credentials();
            assertThat(after).isNotSameAs(before);
            assertThat(after.expiration()).isAfter(clock.instant());
        } finally {
            engine.close();
        }
    }

    @Test
    void aRestoreBeforeTheRefreshPointKeepsTheCredentialsAndTheirSchedule() throws Exception {
        RefreshEngine engine = engineOnTheSharedScheduler();
        try {
            IrsaCredentials before = engine.credentials();
            CheckpointHook.resource().beforeCheckpoint(null);
            clock.advance(Duration.ofMinutes(1));
            CheckpointHook.resource().afterRestore(null);
            assertThat(engine.credentials()).isSameAs(before);
            assertThat(calls).hasValue(1);
        } finally {
            engine.close();
        }
    }
}
