package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.testkit.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A shared session whose last holder closes leaves its credentials for the next session of the same configuration
 * (S3A, Iceberg: a provider per filesystem or query). The next session must go on with the original schedule, as if
 * the session had never closed. On the engine's injected clock and manual timers; the test's own clock makes the
 * configuration, and so the registry key, unique to the test.
 */
class ResumedSessionTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-29T10:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ScriptedExchange sts = new ScriptedExchange(clock);

    private IrsaSession shared(RefreshPolicy policy) {
        return IrsaSession.shared(config(policy), sts, scheduler);
    }

    private IrsaConfig config(RefreshPolicy policy) {
        return IrsaConfig.builder().roleArn("arn:aws:iam::111122223333:role/app")
                .tokenFile(Path.of("/nonexistent/token")).region("us-west-2").clock(clock).refreshPolicy(policy)
                .settings(SettingsSource.of(Map.of(), Map.of())).build();
    }

    @Test
    void sessionsOpenedAndClosedEveryMinuteStillRefreshAtTheOriginalPoint() {
        RefreshPolicy policy = RefreshPolicy.builder().build(); // defaults: background refresh on
        Instant firstExpiry = null;
        for (int minute = 0; minute < 60 && sts.calls() < 2; minute++) {
            try (IrsaSession s = shared(policy)) {
                IrsaCredentials c = s.credentials();
                if (firstExpiry == null) {
                    firstExpiry = c.expiration();
                }
                scheduler.advance(Duration.ofSeconds(60)); // the timer fires while this session is open
            }
        }
        assertThat(sts.calls()).as("the scheduled refresh happened within the credentials' life").isEqualTo(2);
        long leftAtRefresh = firstExpiry.toEpochMilli() - sts.callTimes.get(1);
        assertThat(Duration.ofMillis(leftAtRefresh)).as("refreshed in the advisory window, not seconds before expiry")
                .isGreaterThanOrEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aResumedSessionRefreshesForMinValidityByTheCredentialsRealLifetime() {
        RefreshPolicy policy = RefreshPolicy.builder().jitter(0).backgroundRefresh(false).build();
        IrsaCredentials first;
        try (IrsaSession s = shared(policy)) {
            first = s.credentials();
        }
        clock.advance(Duration.ofMinutes(40)); // 20 min left, before the refresh point (45 min with no jitter)
        try (IrsaSession s = shared(policy)) {
            assertThat(s.credentials()).isSameAs(first);
            assertThat(sts.calls()).as("taken up: no STS call, no refresh due yet").isEqualTo(1);
            // 25 min asked, 20 min left: half the real 1 h lifetime is 30 min, so the ask stands and a refresh comes
            // first (clamped to half of the 20 min left at resuming, the old credentials were served as they were).
            IrsaCredentials refreshed = s.credentials(Duration.ofMinutes(25));
            assertThat(sts.calls()).isEqualTo(2);
            assertThat(refreshed.expiration()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
        }
    }

    @Test
    void aSessionWhoseLastRefreshFailedLeavesNothingToResume() {
        RefreshPolicy policy = RefreshPolicy.builder().jitter(0).backgroundRefresh(false).build();
        try (IrsaSession s = shared(policy)) {
            s.credentials();
            clock.advance(Duration.ofMinutes(50)); // past the refresh point
            sts.failAlways(ScriptedExchange.nonRecoverable("AccessDenied"));
            s.credentials(); // starts the due refresh, which fails
            assertThat(sts.calls()).isEqualTo(2);
            assertThat(s.state().status()).isEqualTo(SessionState.Status.DEGRADED);
        }
        try (IrsaSession s = shared(policy)) {
            assertThat(s.state().status()).as("not VALID: the failure is not forgotten behind kept credentials")
                    .isEqualTo(SessionState.Status.NOT_STARTED);
        }
    }

    @Test
    void credentialsNoLongerResumableDoNotHideTheEndpointLine() {
        RefreshPolicy policy = RefreshPolicy.builder().jitter(0).backgroundRefresh(false).build();
        try (IrsaSession s = shared(policy)) {
            s.credentials();
        }
        clock.advance(Duration.ofMinutes(59).plusSeconds(30)); // 30 s left: inside the 1-min mandatory window
        try (LogCapture logs = new LogCapture(); IrsaSession s = shared(policy)) {
            s.credentials();
            assertThat(sts.calls()).as("not taken up: a new STS call").isEqualTo(2);
            assertThat(logs.lines()).as("so the endpoint it goes to is logged at INFO")
                    .anyMatch(l -> l.startsWith("INFO") && l.contains("uses STS endpoint"));
        }
    }

    @Test
    void anEngineThatCannotBeMadeDoesNotLoseTheKeptCredentials() {
        RefreshPolicy policy = RefreshPolicy.builder().jitter(0).backgroundRefresh(false).build();
        IrsaCredentials first;
        try (IrsaSession s = shared(policy)) {
            first = s.credentials();
        }
        dev.irsa.core.internal.SessionKey key = dev.irsa.core.internal.SessionKey.of(config(policy));
        assertThatThrownBy(() -> SessionRegistry.global().acquire(key, resuming -> {
            throw new IllegalStateException("no engine (test)");
        })).hasMessageContaining("no engine");
        try (IrsaSession s = shared(policy)) {
            assertThat(s.credentials()).as("still kept for the next session").isSameAs(first);
            assertThat(sts.calls()).isEqualTo(1);
        }
    }

    /**
     * A node clock 61 min ahead (credentials look expired on arrival: the minimum refresh interval governs them) and a
     * shared session opened and closed per request (the SDK closes a provider with each client): what the closed
     * session left is taken up within the interval, so the issuer is asked once per interval, not once per request.
     */
    @Test
    void sessionsOpenedPerRequestOnAClockFarAheadKeepToTheMinimumRefreshInterval() {
        sts.lifetime(Duration.ofMinutes(-1)); // an hour at AWS; on this clock, expired a minute ago
        RefreshPolicy policy = RefreshPolicy.defaults();
        for (int request = 0; request < 60; request++) { // one every 5 s for 5 min
            try (IrsaSession s = shared(policy)) {
                s.credentials();
            }
            clock.advance(Duration.ofSeconds(5));
        }
        assertThat(sts.calls()).as("one exchange per minimum refresh interval").isBetween(5, 6);
    }

    /**
     * The counts a meter reads never go back and are carried exactly once, whichever closed session a successor is
     * told to go on from: here the third session is pointed at the first (as a provider whose hold still names it,
     * after a session opened for one call came and went), yet the second one's refresh is not lost.
     */
    @Test
    void countsOfClosedSharedSessionsAreCarriedExactlyOnce() {
        RefreshPolicy policy = RefreshPolicy.builder().jitter(0).backgroundRefresh(false).build();
        IrsaSession first = shared(policy);
        first.credentials();
        first.close();
        clock.advance(Duration.ofMinutes(59).plusSeconds(30)); // not resumable: the next session asks STS
        IrsaSession second = shared(policy);
        second.resumeFrom(first);
        second.credentials();
        assertThat(second.state().refreshes()).isEqualTo(2);
        second.close();
        clock.advance(Duration.ofHours(1));
        try (IrsaSession third = shared(policy); IrsaSession alsoThird = shared(policy)) {
            third.resumeFrom(first);
            alsoThird.resumeFrom(second);
            third.credentials();
            assertThat(third.state().refreshes()).as("1 + 1 carried, and this one").isEqualTo(3);
        }
    }

    // A session of its own (shared(false) in the adapter) hands what it left to a successor through resumeFrom.

    private IrsaSession own(IrsaConfig config) {
        return IrsaSession.create(config, sts, scheduler);
    }

    @Test
    void aSessionOfItsOwnResumesOnlyBeforeTheMandatoryWindowOfTheRealLifetime() {
        RefreshPolicy policy = RefreshPolicy.builder().jitter(0).backgroundRefresh(false).build();
        IrsaSession first = own(config(policy));
        IrsaCredentials served = first.credentials();
        first.close();
        clock.advance(Duration.ofMinutes(40));
        try (IrsaSession next = own(config(policy))) {
            next.resumeFrom(first);
            assertThat(next.credentials()).as("20 min left of 1 h: goes on, no STS call").isSameAs(served);
            assertThat(sts.calls()).isEqualTo(1);
        }
        clock.advance(Duration.ofMinutes(19).plusSeconds(50)); // 10 s left: the lifetime is 1 h, not the 10 s left
        try (IrsaSession next = own(config(policy))) {
            next.resumeFrom(first);
            assertThat(next.credentials()).isNotSameAs(served);
            assertThat(sts.calls()).as("inside the mandatory window: STS is asked").isEqualTo(2);
        }
    }

    @Test
    void resumeFromTakesNothingFromAnotherConfigurationAnOpenSessionOrAFailingOne() {
        RefreshPolicy policy = RefreshPolicy.builder().jitter(0).backgroundRefresh(false).build();
        IrsaSession other = own(IrsaConfig.builder().roleArn("arn:aws:iam::111122223333:role/other")
                .tokenFile(Path.of("/nonexistent/token")).region("us-west-2").clock(clock).refreshPolicy(policy)
                .settings(SettingsSource.of(Map.of(), Map.of())).build());
        other.credentials();
        IrsaSession open = own(config(policy));
        open.credentials();
        other.close();
        try (IrsaSession next = own(config(policy))) {
            next.resumeFrom(other);
            next.resumeFrom(open);
            next.credentials();
            assertThat(sts.calls()).as("another role's or a live session's credentials are never taken up").isEqualTo(3);
        }

        clock.advance(Duration.ofMinutes(50));
        sts.failAlways(ScriptedExchange.nonRecoverable("AccessDenied"));
        open.credentials(Duration.ofMinutes(20)); // a refresh, which fails
        assertThat(open.state().status()).isEqualTo(SessionState.Status.DEGRADED);
        open.close();
        sts.failAlways(null);
        try (IrsaSession next = own(config(policy))) {
            next.resumeFrom(open);
            assertThat(next.state().status()).as("a failing session leaves nothing").isEqualTo(SessionState.Status.NOT_STARTED);
            next.credentials();
            assertThat(next.state().consecutiveFailures()).isZero();
            assertThat(sts.calls()).isEqualTo(5);
        }
    }
}
