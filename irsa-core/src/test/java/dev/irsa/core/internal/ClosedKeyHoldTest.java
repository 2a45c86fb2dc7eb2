package dev.irsa.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.RefreshPolicy;
import dev.irsa.testkit.ManualClock;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/**
 * How the registry holds the application's objects in what it keeps of a closed session's key: a value (a clock that
 * is a new instance each time yet equal to the last) as it is, so an equal key made after the collector ran still
 * finds it; an object compared by identity weakly, so keeping its session's counts never keeps it reachable.
 */
class ClosedKeyHoldTest {
    private static SessionKey key(Clock clock) {
        return new SessionKey.PodIdentity(URI.create("http://127.0.0.1:1/v1/credentials"), null, null,
                RefreshPolicy.defaults(), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), clock);
    }

    @Test
    void aValueClockIsKeptSoAnEqualKeyMadeLaterFindsIt() {
        SessionRegistry.Closed kept = SessionRegistry.Closed.of(key(Clock.system(ZoneId.of("Europe/Paris"))));
        collectSomething();
        assertThat(kept.gone()).isFalse();
        assertThat(kept).isEqualTo(SessionRegistry.Closed.of(key(Clock.system(ZoneId.of("Europe/Paris")))));
    }

    /**
     * {@link Clock} declares an equals that is Object's: a clock class that does not override it, as the test kit's
     * {@link ManualClock}, is no value.
     */
    @Test
    void aClockComparedByIdentityIsHeldWeakly() {
        SessionRegistry.Closed kept = SessionRegistry.Closed.of(key(new ManualClock(Instant.EPOCH)));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!kept.gone() && System.nanoTime() < deadline) {
            System.gc();
            Thread.yield();
        }
        assertThat(kept.gone()).as("the identity-compared clock, still reachable from the kept key").isTrue();
    }

    /** Returns once the collector has cleared a weak reference: one that would have cleared the clock's, if held so. */
    private static void collectSomething() {
        WeakReference<Object> sentinel = new WeakReference<>(new Object());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sentinel.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.yield();
        }
        assertThat(sentinel.get()).as("no collection ran: the test would prove nothing").isNull();
    }
}
