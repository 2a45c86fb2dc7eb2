package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RefreshPolicyTest {
    @ParameterizedTest
    @CsvSource({"PT20S, PT2S", "PT15M, PT1M30S", "PT50M, PT5M", "PT1H, PT5M", "PT12H, PT5M", "PT0S, PT0S"})
    void theRefreshFloorIsATenthOfTheLifetimeAtMostFiveMinutes(Duration lifetime, Duration floor) {
        assertThat(RefreshPolicy.defaults().refreshFloor(lifetime)).isEqualTo(floor);
    }

    @Test
    void onARightClockTheScheduleAlreadyKeepsToTheFloorAndTheFloorStaysOutOfTheMandatoryWindow() {
        RandomGenerator random = new SplittableRandom(19);
        for (RefreshPolicy p : new RefreshPolicy[] {RefreshPolicy.defaults(), RefreshPolicy.builder().jitter(0).build(),
                RefreshPolicy.builder().jitter(1).build()}) {
            for (long seconds : new long[] {20, 60, 900, 1200, 3600, 5400, 21600, 43200}) {
                Duration lifetime = Duration.ofSeconds(seconds);
                Duration floor = p.refreshFloor(lifetime);
                assertThat(floor).isLessThanOrEqualTo(lifetime.minus(p.mandatoryWindow(lifetime)));
                for (int i = 0; i < 200; i++) {
                    assertThat(lifetime.minus(p.refreshLead(lifetime, random))).isGreaterThanOrEqualTo(floor);
                    assertThat(lifetime.minus(p.firstRefreshLead(lifetime, random))).isGreaterThanOrEqualTo(floor);
                }
            }
        }
    }

    private final RefreshPolicy p = RefreshPolicy.defaults();

    @ParameterizedTest(name = "lifetime {0}s -> advisory {1}s, mandatory {2}s")
    @CsvSource({
            "20, 6.666, 2",          // test kit's short credentials: scaled to the lifetime
            "300, 100, 30",
            "900, 300, 60",          // STS minimum: 5 min advisory
            "1199, 300, 60",
            "1200, 400, 60",         // 20 min: 15 min window capped at L/3
            "3600, 900, 60",         // 1 h: 15 min
            "5399, 900, 60",
            "5400, 1800, 60",        // 90 min: 60 min window capped at L/3
            "43200, 3600, 60"})      // 12 h: 60 min
    void windowsByLifetime(double lifetime, double advisory, double mandatory) {
        Duration l = Duration.ofMillis((long) (lifetime * 1000));
        assertThat(p.advisoryWindow(l).toMillis()).isCloseTo((long) (advisory * 1000), org.assertj.core.data.Offset.offset(1L));
        assertThat(p.mandatoryWindow(l).toMillis()).isEqualTo((long) (mandatory * 1000));
    }

    @Test
    void refreshLeadStaysInsideTheAdvisoryWindowAndOutsideTheMandatoryOne() {
        RandomGenerator r = new SplittableRandom(1);
        for (long secs : new long[] {20, 900, 3600, 43200}) {
            Duration l = Duration.ofSeconds(secs);
            for (int i = 0; i < 1000; i++) {
                Duration lead = p.refreshLead(l, r);
                assertThat(lead).isLessThanOrEqualTo(p.advisoryWindow(l));
                assertThat(lead).isGreaterThanOrEqualTo(p.advisoryWindow(l).dividedBy(2));
                assertThat(lead).isGreaterThan(p.mandatoryWindow(l));
            }
        }
    }

    @Test
    void backoffIsExponentialWithFullJitterAndCaps() {
        RandomGenerator r = new SplittableRandom(7);
        Duration plenty = Duration.ofHours(1);
        for (int failures = 1; failures <= 12; failures++) {
            long cap = Math.min(300_000, 1000L << (failures - 1));
            long max = 0;
            long min = Long.MAX_VALUE;
            for (int i = 0; i < 2000; i++) {
                long d = p.backoff(failures, plenty, plenty, r).toMillis();
                assertThat(d).isBetween(100L, cap);
                max = Math.max(max, d);
                min = Math.min(min, d);
            }
            assertThat(max).as("spread reaches the cap for step " + failures).isGreaterThan(cap * 9 / 10);
            assertThat(min).as("full jitter reaches the floor for step " + failures).isLessThan(100 + cap / 10);
        }
    }

    @Test
    void backoffNeverOutlivesHalfTheTimeBeforeTheMandatoryWindow() {
        RandomGenerator r = new SplittableRandom(3);
        for (int i = 0; i < 1000; i++) {
            assertThat(p.backoff(20, Duration.ofSeconds(60), Duration.ofSeconds(120), r)).isLessThanOrEqualTo(Duration.ofSeconds(30));
            assertThat(p.backoff(20, Duration.ofSeconds(4), Duration.ofSeconds(64), r)).as("never denser than the expired cap allows")
                    .isLessThanOrEqualTo(Duration.ofSeconds(10));
            assertThat(p.backoff(20, Duration.ofSeconds(-2), Duration.ofSeconds(8), r)).as("last tries land before expiry")
                    .isLessThanOrEqualTo(Duration.ofSeconds(4));
            assertThat(p.backoff(20, Duration.ofSeconds(-2), Duration.ofMillis(400), r)).as("but no burst at the very end")
                    .isLessThanOrEqualTo(Duration.ofSeconds(1));
        }
    }

    @Test
    void withoutValidCredentialsBackoffIsCappedLow() {
        RandomGenerator r = new SplittableRandom(5);
        for (int i = 0; i < 1000; i++) {
            assertThat(p.backoff(20, null, null, r)).isLessThanOrEqualTo(Duration.ofSeconds(10));
        }
    }

    @Test
    void firstRefreshIsSpreadOverMostOfTheFirstLifetime() {
        RandomGenerator r = new SplittableRandom(11);
        Duration hour = Duration.ofHours(1);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 5000; i++) {
            long lead = p.firstRefreshLead(hour, r).toMillis();
            min = Math.min(min, lead);
            max = Math.max(max, lead);
        }
        assertThat(min).isGreaterThanOrEqualTo(Duration.ofMinutes(7).plusSeconds(30).toMillis()); // latest: half the advisory window
        assertThat(max).isLessThanOrEqualTo(Duration.ofMinutes(54).toMillis()); // earliest: 6 min after issue
        assertThat(max - min).isGreaterThan(Duration.ofMinutes(45).toMillis());
        RefreshPolicy noJitter = RefreshPolicy.builder().jitter(0).build();
        assertThat(noJitter.firstRefreshLead(hour, r)).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void builderValidatesAndRoundTrips() {
        RefreshPolicy custom = RefreshPolicy.builder().mandatoryWindow(Duration.ofSeconds(30)).jitter(0.2).maxAttempts(2).build();
        assertThat(custom.toBuilder().build()).isEqualTo(custom);
        assertThat(custom).isNotEqualTo(RefreshPolicy.defaults());
        assertThatThrownBy(() -> RefreshPolicy.builder().jitter(2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RefreshPolicy.builder().tokenReadRetry(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokenReadRetry");
        assertThatThrownBy(() -> RefreshPolicy.builder().waitTimeout(Duration.ZERO)).hasMessageContaining("waitTimeout");
        assertThatThrownBy(() -> RefreshPolicy.builder().maxAttempts(0)).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> RefreshPolicy.builder().backoffBase(Duration.ofMinutes(10)).build()).hasMessageContaining("backoffMax");
    }
}
