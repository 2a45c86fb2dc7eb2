package dev.irsa.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.IrsaCredentials;
import dev.irsa.core.RefreshPolicy;
import dev.irsa.core.SessionState;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A session's engine is never closed inside the registry's map update (issue 20 review #7): a chained engine's close
 * releases its hold on its source session, an update of the same map, which {@link java.util.concurrent.ConcurrentHashMap}
 * forbids from inside {@code compute} ("Recursive update" when both keys share a bin).
 */
class SessionRegistryReentryTest {
    private static final Clock CLOCK = Clock.systemUTC();
    private static final RefreshPolicy NO_TIMERS = RefreshPolicy.builder().backgroundRefresh(false).build();

    /** Two keys of equal hash ("Aa" and "BB" hash alike), so they share a bin whatever the table's size. */
    private static SessionKey key(String role) {
        return new SessionKey.WebIdentity("arn:aws:iam::111122223333:role/" + role, Path.of("/token"), "s",
                URI.create("http://127.0.0.1:1"), Duration.ofHours(1), null, List.of(), NO_TIMERS, null,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), CLOCK);
    }

    /** Timers that fail as a scheduler in a broken state would (not a rejection, which the engine absorbs). */
    private static final class Timers implements Scheduler {
        private final boolean broken;

        Timers(boolean broken) {
            this.broken = broken;
        }

        @Override
        public Cancellable schedule(Runnable task, Duration delay) {
            if (broken) {
                throw new IllegalStateException("timer pool broken");
            }
            return () -> { };
        }

        @Override
        public void execute(Runnable refresh) {
            throw new UnsupportedOperationException("no refresh in this test");
        }
    }

    private static RefreshEngine engine(RefreshPolicy policy, Scheduler scheduler, Runnable onClose) {
        return new RefreshEngine("arn:aws:iam::111122223333:role/x", URI.create("http://127.0.0.1:1"), policy, CLOCK,
                new Random(1), attempts -> {
                    throw new UnsupportedOperationException("no exchange in this test");
                }, scheduler, onClose);
    }

    @Test
    void anEngineThatFailsWhileSeededIsClosedAfterTheMapUpdateSoItsCloseMayReleaseAnotherKey() {
        SessionRegistry registry = new SessionRegistry();
        SessionKey source = key("Aa");
        SessionKey chained = key("BB");
        assertThat(source.hashCode()).as("one bin").isEqualTo(chained.hashCode());
        assertThat(source).isNotEqualTo(chained);

        // The source session, then taken out as TestIsolation.reset() does: its holders go on with it
        RefreshEngine sourceEngine = engine(NO_TIMERS, new Timers(false), null);
        SessionRegistry.Entry sourceEntry = registry.acquire(source, resuming -> sourceEngine);
        registry.reset();

        // Credentials a closed session of the chained key left, so the next one is seeded from them
        long now = CLOCK.millis();
        IrsaCredentials c = new IrsaCredentials("ASIAKEPT", "secret", "token", Instant.ofEpochMilli(now + 3_600_000),
                "arn:aws:sts::111122223333:assumed-role/BB/s");
        RefreshEngine first = engine(NO_TIMERS, new Timers(false), null);
        SessionRegistry.Entry firstEntry = registry.acquire(chained, resuming -> first);
        first.seed(new RefreshEngine.Kept(c, now - 60_000, now + 1_800_000, 0, 0)); // no floor, no horizon
        registry.release(chained, firstEntry);
        assertThat(registry.resumableSize()).isEqualTo(1);

        // The next engine of the chained key fails while seeded; closing it releases its hold on the source session
        RefreshEngine failing = engine(RefreshPolicy.defaults(), new Timers(true),
                () -> registry.release(source, sourceEntry));
        assertThatThrownBy(() -> registry.acquire(chained, resuming -> failing))
                .as("the seed's own failure, not a recursive map update").isInstanceOf(IllegalStateException.class)
                .hasMessage("timer pool broken");
        assertThat(failing.state().status()).isEqualTo(SessionState.Status.CLOSED);
        assertThat(sourceEngine.state().status()).as("the source released by the failed engine's close")
                .isEqualTo(SessionState.Status.CLOSED);
        assertThat(registry.resumableSize()).as("the kept credentials are kept for the next try").isEqualTo(1);
        assertThat(registry.size()).isZero();
    }
}
