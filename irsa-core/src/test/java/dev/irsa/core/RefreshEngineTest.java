package dev.irsa.core;

import dev.irsa.testkit.ManualClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The refresh engine on an injected clock and manual timers: no sleeping, fully deterministic. */
class RefreshEngineTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-29T10:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ScriptedExchange sts = new ScriptedExchange(clock);
    private final List<Object> events = new ArrayList<>();

    private IrsaSession session(RefreshPolicy policy) {
        IrsaConfig config = IrsaConfig.builder().roleArn("arn:aws:iam::111122223333:role/app")
                .tokenFile(Path.of("/nonexistent/token")).region("us-west-2").clock(clock).refreshPolicy(policy)
                .settings(SettingsSource.of(Map.of(), Map.of()))
                .addListener(new RefreshListener() {
                    @Override
                    public void onRefreshStarted(Started e) {
                        events.add(e);
                    }

                    @Override
                    public void onRefreshSucceeded(Succeeded e) {
                        events.add(e);
                    }

                    @Override
                    public void onRefreshFailed(Failed e) {
                        events.add(e);
                    }
                })
                .build();
        return IrsaSession.create(config, sts, scheduler);
    }

    private IrsaSession session() {
        return session(RefreshPolicy.builder().jitter(0).build());
    }

    @Test
    void firstCallFetchesThenServesFromCache() {
        try (IrsaSession s = session()) {
            assertThat(s.state().status()).isEqualTo(SessionState.Status.NOT_STARTED);
            IrsaCredentials first = s.credentials();
            for (int i = 0; i < 100; i++) {
                assertThat(s.credentials()).isSameAs(first);
            }
            assertThat(sts.calls()).isEqualTo(1);
            assertThat(sts.attemptsAllowed).containsExactly(3); // a caller waits: retries allowed
            assertThat(s.state().status()).isEqualTo(SessionState.Status.VALID);
            assertThat(s.state().expiration()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
        }
    }

    @Test
    void refreshesInTheBackgroundAtTheStartOfTheAdvisoryWindow() {
        try (IrsaSession s = session()) {
            IrsaCredentials first = s.credentials();
            Instant issued = clock.instant();
            // 1 h lifetime: 15 min advisory window, no jitter -> timer at 45 min
            assertThat(scheduler.nextDue()).isEqualTo(issued.plus(Duration.ofMinutes(45)).toEpochMilli());
            scheduler.advance(Duration.ofMinutes(44));
            assertThat(s.credentials()).isSameAs(first);
            assertThat(sts.calls()).isEqualTo(1);
            scheduler.advance(Duration.ofMinutes(1));
            assertThat(sts.calls()).isEqualTo(2);
            assertThat(sts.attemptsAllowed.get(1)).isEqualTo(1); // background: no caller waits, backoff does the retrying
            IrsaCredentials second = s.credentials();
            assertThat(second).isNotSameAs(first);
            assertThat(second.expiration()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
            assertThat(events).filteredOn(e -> e instanceof RefreshListener.Started st
                    && st.trigger() == RefreshListener.Trigger.SCHEDULED).hasSize(1);
        }
    }

    @Test
    void jitterSpreadsRefreshesOverTheFirstHalfOfTheAdvisoryWindow() {
        List<Long> firstLeads = new ArrayList<>();
        List<Long> leads = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ManualClock c = new ManualClock(Instant.parse("2026-11-29T10:00:00Z"));
            ManualScheduler sch = new ManualScheduler(c);
            ScriptedExchange ex = new ScriptedExchange(c);
            IrsaConfig config = IrsaConfig.builder().roleArn("arn:aws:iam::111122223333:role/app")
                    .tokenFile(Path.of("/t")).region("us-west-2").clock(c).settings(SettingsSource.of(Map.of(), Map.of()))
                    .build();
            try (IrsaSession s = IrsaSession.create(config, ex, sch)) {
                IrsaCredentials cr = s.credentials();
                firstLeads.add(cr.expiration().toEpochMilli() - sch.nextDue());
                sch.fireNext();
                IrsaCredentials second = s.credentials();
                leads.add(second.expiration().toEpochMilli() - sch.nextDue());
            }
        }
        long advisory = Duration.ofMinutes(15).toMillis();
        assertThat(leads).allSatisfy(l -> assertThat(l).isBetween(advisory / 2, advisory));
        assertThat(leads.stream().distinct().count()).as("randomised").isGreaterThan(100);
        // The first refresh of a session is spread over most of the first hour, so a fleet falls out of step.
        assertThat(firstLeads).allSatisfy(l -> assertThat(l).isBetween(advisory / 2, Duration.ofMinutes(54).toMillis()));
        assertThat(firstLeads.stream().filter(l -> l > advisory).count()).isGreaterThan(100);
    }

    @Test
    void shortLifetimesScaleTheWindowsInsteadOfRefreshingContinuously() {
        sts.lifetime(Duration.ofSeconds(20));
        // 20 s credentials on a right clock: refreshed sooner than the minimum refresh interval allows, so it is off
        try (IrsaSession s = session(RefreshPolicy.builder().jitter(0).minimumRefreshInterval(Duration.ZERO).build())) {
            s.credentials();
            for (int i = 0; i < 30; i++) {
                scheduler.advance(Duration.ofSeconds(10));
                s.credentials();
            }
            // 300 s of 20 s credentials refreshed at 2/3 of their life: one call per ~13.3 s, not continuously
            assertThat(sts.calls()).isBetween(22, 24);
        }
    }

    @Test
    void failuresKeepServingValidCredentialsAndBackOff() {
        try (IrsaSession s = session()) {
            IrsaCredentials cached = s.credentials();
            sts.failAlways(ScriptedExchange.retryable("ServiceUnavailable"));
            scheduler.advance(Duration.ofMinutes(45)); // refresh point
            int errors = 0;
            // Until real expiry, every caller gets the cached credentials: no caller error.
            while (clock.instant().isBefore(cached.expiration())) {
                try {
                    assertThat(s.credentials()).isSameAs(cached);
                } catch (IrsaException e) {
                    errors++;
                }
                scheduler.advance(Duration.ofSeconds(1));
            }
            assertThat(errors).isZero();
            assertThat(s.state().status()).isEqualTo(SessionState.Status.FAILING);
            // Retries came from the backoff schedule, not from the ~900 caller calls.
            assertThat(sts.calls()).as("about one per 15 s over 16 min, denser near the deadline").isBetween(5, 64);
            for (int i = 1; i < sts.callTimes.size(); i++) {
                assertThat(sts.callTimes.get(i) - sts.callTimes.get(i - 1)).isGreaterThanOrEqualTo(100);
            }
        }
    }

    @Test
    void stateCountsTheRefreshesTheSessionMadeAsItsListenersSawThem() {
        try (IrsaSession s = session()) {
            assertThat(s.state().refreshes()).isZero();
            s.credentials();
            scheduler.advance(Duration.ofMinutes(45)); // scheduled refresh
            sts.failAlways(ScriptedExchange.retryable("ServiceUnavailable"));
            scheduler.advance(Duration.ofMinutes(50));
            SessionState state = s.state();
            assertThat(state.refreshes()).isEqualTo(2)
                    .isEqualTo(events.stream().filter(e -> e instanceof RefreshListener.Succeeded).count());
            assertThat(state.failedRefreshes()).isPositive()
                    .isEqualTo(events.stream().filter(e -> e instanceof RefreshListener.Failed).count());
        }
    }

    @Test
    void afterExpiryCallersFailFastWithTheCauseUntilTheNextAttempt() {
        try (IrsaSession s = session()) {
            IrsaCredentials cached = s.credentials();
            sts.failAlways(ScriptedExchange.retryable("ServiceUnavailable"));
            scheduler.advance(Duration.between(clock.instant(), cached.expiration()).plusSeconds(1));
            int before = sts.calls();
            for (int i = 0; i < 1000; i++) {
                assertThatThrownBy(s::credentials).isInstanceOfSatisfying(IrsaException.class, e -> {
                    assertThat(e.getMessage()).contains("expired at " + cached.expiration()).contains("ServiceUnavailable");
                    assertThat(e.kind()).isEqualTo(IrsaException.Kind.RETRYABLE);
                });
            }
            assertThat(sts.calls() - before).as("no STS call per caller call").isLessThanOrEqualTo(1);
            sts.failAlways(null);
            scheduler.advance(Duration.ofSeconds(11)); // expired backoff is capped at 10 s
            assertThat(s.credentials().expiration()).isAfter(clock.instant());
            assertThat(s.state().status()).isEqualTo(SessionState.Status.VALID);
        }
    }

    @Test
    void nonRecoverableErrorsReachCallersFastAndAreCachedBriefly() {
        sts.failAlways(ScriptedExchange.nonRecoverable("AccessDenied"));
        try (IrsaSession s = session()) {
            assertThatThrownBy(s::credentials).isInstanceOfSatisfying(IrsaException.class,
                    e -> assertThat(e.kind()).isEqualTo(IrsaException.Kind.NON_RECOVERABLE));
            for (int i = 0; i < 100; i++) {
                assertThatThrownBy(s::credentials).hasMessageContaining("AccessDenied");
            }
            assertThat(sts.calls()).isEqualTo(1);
            assertThat(scheduler.pendingTimers()).as("no background hammering of a broken setup").isZero();
            clock.advance(Duration.ofSeconds(5));
            assertThatThrownBy(s::credentials).hasMessageContaining("AccessDenied");
            assertThat(sts.calls()).isEqualTo(2);
            assertThat(s.state().status()).isEqualTo(SessionState.Status.FAILING);
            assertThat(s.state().lastErrorCode()).isEqualTo("AccessDenied");
        }
    }

    @Test
    void inTheMandatoryWindowCallersGetTheRefreshedCredentials() {
        // No timers: the caller finds credentials in the mandatory window and must not get the old ones.
        try (IrsaSession s = session(RefreshPolicy.builder().backgroundRefresh(false).build())) {
            IrsaCredentials old = s.credentials();
            clock.advance(Duration.ofMinutes(59).plusSeconds(30));
            IrsaCredentials fresh = s.credentials();
            assertThat(fresh).isNotSameAs(old);
            assertThat(fresh.expiration()).isAfter(old.expiration());
            assertThat(sts.calls()).isEqualTo(2);
        }
    }

    @Test
    void inTheMandatoryWindowAFailedRefreshStillServesTheValidCredentials() {
        try (IrsaSession s = session(RefreshPolicy.builder().backgroundRefresh(false).build())) {
            IrsaCredentials old = s.credentials();
            sts.failAlways(ScriptedExchange.retryable("Throttling"));
            clock.advance(Duration.ofMinutes(59).plusSeconds(30));
            assertThat(s.credentials()).isSameAs(old);
            int calls = sts.calls();
            assertThat(s.credentials()).isSameAs(old); // backing off: no new call
            assertThat(sts.calls()).isEqualTo(calls);
            assertThat(s.state().status()).isEqualTo(SessionState.Status.DEGRADED);
        }
    }

    @Test
    void withoutBackgroundRefreshTheAdvisoryWindowRefreshesLazilyWithoutBlocking() {
        try (IrsaSession s = session(RefreshPolicy.builder().backgroundRefresh(false).jitter(0).build())) {
            IrsaCredentials old = s.credentials();
            clock.advance(Duration.ofMinutes(46));
            IrsaCredentials r = s.credentials();
            assertThat(sts.calls()).isEqualTo(2);
            assertThat(sts.attemptsAllowed.get(1)).isEqualTo(1);
            assertThat(r).as("the caller that started the refresh is served the cached credentials at once").isSameAs(old);
            assertThat(s.credentials()).isNotSameAs(old);
        }
    }

    @Test
    void aDeadSchedulerNeverLeadsToExpiredCredentials() {
        scheduler.rejectTimers(true);
        try (IrsaSession s = session()) {
            IrsaCredentials first = s.credentials();
            clock.advance(Duration.ofHours(1).plusSeconds(1)); // no timer ever fires
            IrsaCredentials next = s.credentials();
            assertThat(next).isNotSameAs(first);
            assertThat(next.expiration()).isAfter(clock.instant());
        }
    }

    @Test
    void listenersSeeEveryRefreshWithoutSecrets() {
        try (IrsaSession s = session()) {
            s.credentials();
            sts.thenFail(ScriptedExchange.retryable("Throttling"));
            scheduler.advance(Duration.ofMinutes(45));
            assertThat(events).hasSize(4);
            assertThat(events.get(1)).isInstanceOfSatisfying(RefreshListener.Succeeded.class, e -> {
                assertThat(e.roleArn()).isEqualTo("arn:aws:iam::111122223333:role/app");
                assertThat(e.trigger()).isEqualTo(RefreshListener.Trigger.INITIAL);
                assertThat(e.expiration()).isNotNull();
            });
            assertThat(events.get(3)).isInstanceOfSatisfying(RefreshListener.Failed.class, e -> {
                assertThat(e.errorCode()).isEqualTo("Throttling");
                assertThat(e.credentialsStillValid()).isTrue();
                assertThat(e.consecutiveFailures()).isEqualTo(1);
                assertThat(e.nextAttemptIn()).isPositive();
            });
            assertThat(events.toString()).doesNotContain("secret-").doesNotContain("session-token-");
        }
    }

    @Test
    void aThrowingListenerDoesNotBreakTheRefresh() {
        IrsaConfig config = IrsaConfig.builder().roleArn("arn:aws:iam::111122223333:role/app").tokenFile(Path.of("/t"))
                .region("us-west-2").clock(clock).settings(SettingsSource.of(Map.of(), Map.of()))
                .addListener(new RefreshListener() {
                    @Override
                    public void onRefreshSucceeded(Succeeded e) {
                        throw new IllegalStateException("boom");
                    }
                }).build();
        try (IrsaSession s = IrsaSession.create(config, sts, scheduler)) {
            assertThat(s.credentials()).isNotNull();
        }
    }

    @Test
    void closedSessionsRefuseAndCancelTheirTimers() {
        IrsaSession s = session();
        s.credentials();
        assertThat(scheduler.pendingTimers()).isEqualTo(1);
        s.close();
        assertThat(scheduler.pendingTimers()).isZero();
        assertThatThrownBy(s::credentials).isInstanceOfSatisfying(IrsaException.class,
                e -> assertThat(e.kind()).isEqualTo(IrsaException.Kind.CLOSED));
        assertThat(s.state().status()).isEqualTo(SessionState.Status.CLOSED);
        s.close(); // idempotent
    }

    @Test
    void asyncNeverBlocksAndCompletesFromCache() {
        try (IrsaSession s = session()) {
            IrsaCredentials c = s.credentialsAsync().join();
            assertThat(s.credentialsAsync()).isCompletedWithValue(c);
        }
    }

    @Test
    void eagerStartFailsAtConstruction() {
        sts.failAlways(ScriptedExchange.nonRecoverable("AccessDenied"));
        IrsaConfig config = IrsaConfig.builder().roleArn("arn:aws:iam::111122223333:role/app").tokenFile(Path.of("/t"))
                .region("us-west-2").clock(clock).eagerStart(true).settings(SettingsSource.of(Map.of(), Map.of())).build();
        assertThatThrownBy(() -> IrsaSession.create(config, sts, scheduler)).hasMessageContaining("AccessDenied");
    }

    @Test
    void withTheMinimumRefreshIntervalOffCredentialsAlreadyExpiredByOurClockAreTreatedAsAClockProblem() {
        // With the floor on (the default) they are served for the interval instead: MinimumRefreshIntervalTest
        sts.lifetime(Duration.ofSeconds(-5));
        try (IrsaSession s = session(RefreshPolicy.builder().jitter(0).minimumRefreshInterval(Duration.ZERO).build())) {
            assertThatThrownBy(s::credentials).hasMessageContaining("clock");
        }
    }
}
