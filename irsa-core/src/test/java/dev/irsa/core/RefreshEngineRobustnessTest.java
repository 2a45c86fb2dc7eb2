package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.testkit.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What must survive: a listener that throws an {@code Error}, a JVM suspended or restored past its timers, a
 * refresh still in flight when a caller, a close or a stale timer arrives, a saturated executor. Deterministic:
 * fake clock, manual timers, refreshes queued until the test runs them.
 */
class RefreshEngineRobustnessTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-29T10:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ScriptedExchange sts = new ScriptedExchange(clock);

    private IrsaConfig.Builder config(RefreshPolicy policy) {
        return IrsaConfig.builder().roleArn("arn:aws:iam::111122223333:role/app").tokenFile(Path.of("/nonexistent/token"))
                .region("us-west-2").clock(clock).refreshPolicy(policy).settings(SettingsSource.of(Map.of(), Map.of()));
    }

    private IrsaSession session(RefreshPolicy policy) {
        return IrsaSession.create(config(policy).build(), sts, scheduler);
    }

    private IrsaSession session() {
        return session(RefreshPolicy.builder().jitter(0).build());
    }

    enum Callback { STARTED, SUCCEEDED, FAILED }

    @ParameterizedTest
    @EnumSource(Callback.class)
    void aListenerThrowingAnErrorNeverStopsRefreshes(Callback which) throws Exception {
        RefreshListener bad = new RefreshListener() {
            @Override
            public void onRefreshStarted(Started e) {
                if (which == Callback.STARTED) {
                    throw new StackOverflowError("listener bug");
                }
            }

            @Override
            public void onRefreshSucceeded(Succeeded e) {
                if (which == Callback.SUCCEEDED) {
                    throw new AssertionError("listener bug");
                }
            }

            @Override
            public void onRefreshFailed(Failed e) {
                if (which == Callback.FAILED) {
                    throw new NoClassDefFoundError("listener bug");
                }
            }
        };
        scheduler.queueRefreshes(true);
        try (IrsaSession s = IrsaSession.create(config(RefreshPolicy.builder().jitter(0).build()).addListener(bad).build(),
                sts, scheduler)) {
            if (which == Callback.FAILED) {
                sts.thenFail(ScriptedExchange.retryable("Throttling"));
            }
            CompletableFuture<IrsaCredentials> first = s.credentialsAsync();
            scheduler.runQueued();
            if (which == Callback.FAILED) {
                assertThat(first).as("the failed first refresh completes its callers").failsWithin(Duration.ofSeconds(5));
                scheduler.fireNext(); // the retry timer
                scheduler.runQueued();
            }
            if (which != Callback.FAILED) {
                assertThat(first).as("the first refresh completes its callers").succeedsWithin(Duration.ofSeconds(5));
            }
            assertThat(s.state().status()).as("a listener's error is not the refresh's").isEqualTo(SessionState.Status.VALID);
            CompletableFuture<IrsaCredentials> second = s.credentialsAsync();
            scheduler.runQueued();
            IrsaCredentials c = second.get(10, TimeUnit.SECONDS);
            assertThat(c.expiration()).isAfter(clock.instant());
            int calls = sts.calls();
            // and the engine keeps its schedule: the refresh point still refreshes
            scheduler.advance(Duration.ofMinutes(46));
            scheduler.runQueued();
            assertThat(sts.calls()).isEqualTo(calls + 1);
            assertThat(s.credentials()).isNotSameAs(c);
            assertThat(scheduler.escaped()).as("nothing escaped to the pool thread").isEmpty();
        }
    }

    @Test
    void aSuspendedJvmNeverServesExpiredCredentialsOnceItsWatchdogLooks() {
        try (IrsaSession s = session()) {
            IrsaCredentials before = s.credentials();
            scheduler.suspend(Duration.ofHours(2)); // the refresh timer is now due 2 h later by the wall clock
            IrsaCredentials after = s.credentials();
            assertThat(after.expiration()).as("served after a 2 h suspension").isAfter(clock.instant());
            assertThat(after).isNotSameAs(before);
            assertThat(s.credentialsAsync().join().expiration()).isAfter(clock.instant());
        }
    }

    @Test
    void aShortSuspensionKeepsTheCachedCredentialsAndTheSchedule() {
        try (IrsaSession s = session()) {
            IrsaCredentials before = s.credentials();
            scheduler.suspend(Duration.ofMinutes(10)); // before the refresh point: nothing to do yet
            assertThat(s.credentials()).isSameAs(before);
            assertThat(sts.calls()).isEqualTo(1);
            scheduler.advance(Duration.ofMinutes(35)); // 45 min after issue by the wall clock: the refresh point
            assertThat(sts.calls()).as("refreshed at the wall-clock refresh point, not 10 min late").isEqualTo(2);
        }
    }

    @Test
    void aCheckpointRestoredHoursLaterNeverServesExpiredCredentials() {
        try (IrsaSession s = session()) {
            IrsaCredentials before = s.credentials();
            scheduler.checkpointAndRestoreAfter(Duration.ofHours(2));
            IrsaCredentials after = s.credentials();
            assertThat(after).isNotSameAs(before);
            assertThat(after.expiration()).isAfter(clock.instant());
        }
    }

    @Test
    void aRefreshThatFinishesDuringACheckpointDoesNotMakeTheRestoredProcessTrustItsTimers() {
        scheduler.queueRefreshes(true);
        try (IrsaSession s = session()) {
            CompletableFuture<IrsaCredentials> first = s.credentialsAsync();
            scheduler.runQueued();
            assertThat(first).succeedsWithin(Duration.ofSeconds(5));
            scheduler.advance(Duration.ofMinutes(45)); // the refresh point: a refresh is now in flight
            assertThat(scheduler.queuedRefreshes()).isEqualTo(1);
            scheduler.checkpoint();
            scheduler.runQueued(); // it finishes after the checkpoint notice, before the image is taken
            IrsaCredentials taken = s.credentialsAsync().join();
            scheduler.storedFor(Duration.ofHours(3)); // everything held expired while stored
            // Application threads may run before the restore notice reaches the session: they must see the clock.
            CompletableFuture<IrsaCredentials> early = s.credentialsAsync();
            assertThat(early.isDone() && !early.isCompletedExceptionally() && early.join() == taken)
                    .as("the credentials taken into the checkpoint are not served after it").isFalse();
            scheduler.restore();
            scheduler.runQueued();
            assertThat(early).succeedsWithin(Duration.ofSeconds(5))
                    .satisfies(c -> assertThat(c.expiration()).isAfter(clock.instant()));
            assertThat(s.credentials().expiration()).isAfter(clock.instant());
        }
    }

    @Test
    void anAsyncCallerInTheMandatoryWindowIsAnsweredWithinTheWaitTimeoutEvenIfTheRefreshHangs() {
        scheduler.queueRefreshes(true);
        try (IrsaSession s = session(RefreshPolicy.builder().backgroundRefresh(false).build())) {
            CompletableFuture<IrsaCredentials> first = s.credentialsAsync();
            scheduler.runQueued();
            IrsaCredentials cached = first.join();
            clock.advance(Duration.ofMinutes(59).plusSeconds(20)); // mandatory window, 40 s left
            CompletableFuture<IrsaCredentials> waiting = s.credentialsAsync(); // joins a refresh that never runs
            assertThat(waiting).isNotDone();
            scheduler.advance(Duration.ofSeconds(10)); // the wait timeout
            assertThat(waiting).as("answered with the still-valid credentials").isCompletedWithValue(cached);
        }
    }

    @Test
    void anAsyncFirstCallerGetsATimeoutNotAFutureThatNeverCompletes() {
        scheduler.queueRefreshes(true);
        try (IrsaSession s = session()) {
            CompletableFuture<IrsaCredentials> waiting = s.credentialsAsync(); // the refresh never runs
            scheduler.advance(Duration.ofSeconds(10));
            assertThat(waiting).isCompletedExceptionally();
            assertThatThrownBy(waiting::join).hasCauseInstanceOf(IrsaException.class).hasMessageContaining("after waiting");
        }
    }

    @Test
    void callersJoinTheRefreshInFlight() {
        scheduler.queueRefreshes(true);
        try (IrsaSession s = session()) {
            CompletableFuture<IrsaCredentials> a = s.credentialsAsync();
            CompletableFuture<IrsaCredentials> b = s.credentialsAsync();
            assertThat(scheduler.queuedRefreshes()).as("one refresh for both callers").isEqualTo(1);
            assertThat(a).isNotDone();
            scheduler.runQueued();
            assertThat(a.join()).isSameAs(b.join());
            assertThat(sts.calls()).isEqualTo(1);
        }
    }

    @Test
    void closeDuringARefreshCompletesItsCallersAndTheLateResultIsDropped() {
        scheduler.queueRefreshes(true);
        IrsaSession s = session();
        CompletableFuture<IrsaCredentials> waiting = s.credentialsAsync();
        s.close();
        assertThat(waiting).as("a caller waiting on a closed session is not left hanging").failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withRootCauseInstanceOf(IrsaException.class).withMessageContaining("closed");
        scheduler.runQueued(); // the refresh queued before the close runs after it
        assertThat(sts.calls()).as("no STS call for a session closed before its refresh started").isZero();
        assertThat(scheduler.pendingTimers()).as("no timer set by a refresh that finished after close").isZero();
        assertThat(scheduler.escaped()).isEmpty();
        assertThat(s.state().status()).isEqualTo(SessionState.Status.CLOSED);
    }

    @Test
    void aTimerAlreadyRunningWhenACallerRetryFinishesDoesNotStartAnother() {
        try (IrsaSession s = session()) {
            s.credentials();
            sts.thenFail(ScriptedExchange.retryable("Throttling"));
            scheduler.advance(Duration.ofMinutes(45)); // the scheduled refresh fails; a retry timer is set
            assertThat(sts.calls()).isEqualTo(2);
            // The retry falls due; a caller gets there first and starts it (the refresh cancels the timer)...
            clock.advance(Duration.ofMillis(scheduler.nextDue() - clock.millis()));
            IrsaCredentials cached = s.credentials(); // starts the due retry, served the cached ones meanwhile
            assertThat(sts.calls()).isEqualTo(3);
            IrsaCredentials renewed = s.credentials();
            assertThat(renewed.expiration()).isAfter(cached.expiration());
            // ...whose task was already running when it was cancelled: it must see that it is stale.
            scheduler.runCancelledTimers();
            assertThat(sts.calls()).as("no second refresh from a stale timer").isEqualTo(3);
            assertThat(s.credentials()).isSameAs(renewed);
        }
    }

    @Test
    void aRejectedRefreshStillServesValidCachedCredentials() {
        try (IrsaSession s = session(RefreshPolicy.builder().backgroundRefresh(false).build())) {
            IrsaCredentials cached = s.credentials();
            scheduler.rejectRefreshes(true);
            clock.advance(Duration.ofMinutes(59).plusSeconds(30)); // mandatory window: a caller would start a refresh
            assertThat(s.credentials()).isSameAs(cached);
            assertThat(s.credentialsAsync().join()).isSameAs(cached);
            assertThat(s.state().status()).isEqualTo(SessionState.Status.DEGRADED);
        }
    }

    @Test
    void withoutBackgroundRefreshACallerStartsTheDueRetryInTheMandatoryWindow() {
        try (IrsaSession s = session(RefreshPolicy.builder().backgroundRefresh(false).build())) {
            IrsaCredentials cached = s.credentials();
            sts.failAlways(ScriptedExchange.retryable("Throttling"));
            clock.advance(Duration.ofMinutes(59).plusSeconds(10));
            assertThat(s.credentials()).isSameAs(cached); // the refresh failed; cached ones still valid
            int calls = sts.calls();
            sts.failAlways(null);
            clock.advance(Duration.ofSeconds(30)); // past the backoff (capped to half the 50 s left), before expiry
            s.credentials(); // due: this caller starts the retry (and does not wait on it)
            assertThat(sts.calls()).as("a caller started the due retry").isEqualTo(calls + 1);
            assertThat(sts.attemptsAllowed.get(sts.attemptsAllowed.size() - 1)).isEqualTo(1);
            IrsaCredentials next = s.credentials();
            assertThat(next).isNotSameAs(cached);
            assertThat(next.expiration()).isAfter(cached.expiration());
        }
    }

    @Test
    void aSessionWhoseSourceIsClosedFailsForGoodInsteadOfRetrying() {
        sts.failAlways(new IrsaException(IrsaException.Kind.CLOSED, null, "The IRSA session for the source role is closed", null));
        try (IrsaSession s = session()) {
            assertThatThrownBy(s::credentials).isInstanceOfSatisfying(IrsaException.class,
                    e -> assertThat(e.kind()).isEqualTo(IrsaException.Kind.CLOSED));
            for (int i = 0; i < 20; i++) {
                scheduler.advance(Duration.ofMinutes(1));
                assertThatThrownBy(s::credentials).hasMessageContaining("closed");
            }
            assertThat(sts.calls()).as("no retries against a closed source").isEqualTo(1);
            assertThat(scheduler.pendingTimers()).isZero();
        }
    }
}
