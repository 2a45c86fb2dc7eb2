package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.testkit.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@link IrsaSession#credentials(Duration)}: refresh first when the cached credentials are too short, on the engine's
 * injected clock and manual timers (refreshes run inline unless queued), so every STS call is counted exactly.
 */
class MinValidityTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-29T10:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ScriptedExchange sts = new ScriptedExchange(clock);
    private final List<RefreshListener.Failed> failures = new CopyOnWriteArrayList<>();

    /** Background refresh off by default, so only the calls under test can start a refresh. */
    private IrsaSession session(RefreshPolicy policy) {
        IrsaConfig config = IrsaConfig.builder().roleArn("arn:aws:iam::111122223333:role/app")
                .tokenFile(Path.of("/nonexistent/token")).region("us-west-2").clock(clock).refreshPolicy(policy)
                .settings(SettingsSource.of(Map.of(), Map.of()))
                .addListener(new RefreshListener() {
                    @Override
                    public void onRefreshFailed(Failed e) {
                        failures.add(e);
                    }
                })
                .build();
        return IrsaSession.create(config, sts, scheduler);
    }

    private IrsaSession session() {
        return session(RefreshPolicy.builder().jitter(0).backgroundRefresh(false).build());
    }

    @Test
    void credentialsExpiringSoonerThanAskedAreRefreshedFirst() {
        try (IrsaSession s = session()) {
            IrsaCredentials first = s.credentials();
            clock.advance(Duration.ofMinutes(44)); // 16 min left: before the refresh point (45 min), no refresh due
            assertThat(s.credentials()).as("the plain call serves them").isSameAs(first);
            assertThat(sts.calls()).isEqualTo(1);

            IrsaCredentials refreshed = s.credentials(Duration.ofMinutes(20));
            assertThat(sts.calls()).isEqualTo(2);
            assertThat(sts.attemptsAllowed.get(1)).as("a caller waits: retries allowed").isEqualTo(3);
            assertThat(refreshed).isNotSameAs(first);
            assertThat(refreshed.expiration()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
            assertThat(s.credentials()).as("and the session holds them").isSameAs(refreshed);
            assertThat(s.credentials(Duration.ofMinutes(20))).isSameAs(refreshed);
            assertThat(sts.calls()).isEqualTo(2);
        }
    }

    @Test
    void credentialsValidLongEnoughCostNoStsCall() {
        try (IrsaSession s = session(RefreshPolicy.builder().jitter(0).build())) { // background refresh on: fresh path
            IrsaCredentials first = s.credentials();
            for (int i = 0; i < 1000; i++) {
                assertThat(s.credentials(Duration.ofMinutes(15))).isSameAs(first);
            }
            clock.advance(Duration.ofMinutes(40)); // 20 min left, timer at 45 min not yet due
            assertThat(s.credentials(Duration.ofMinutes(15))).isSameAs(first);
            assertThat(s.credentials(Duration.ZERO)).isSameAs(first);
            assertThat(s.credentials(Duration.ofMinutes(-5))).isSameAs(first);
            assertThat(sts.calls()).isEqualTo(1);
        }
    }

    @Test
    void askingForMoreThanCredentialsEverLastIsClampedToHalfTheirLife() {
        try (IrsaSession s = session()) {
            s.credentials();
            // 1 h credentials, asked for 2 h (or forever) on every call: at most one refresh per half hour.
            for (int minute = 0; minute < 120; minute++) {
                for (int i = 0; i < 100; i++) {
                    IrsaCredentials c = s.credentials(i % 2 == 0 ? Duration.ofHours(2) : Duration.ofSeconds(Long.MAX_VALUE));
                    assertThat(c.expiration()).isAfterOrEqualTo(clock.instant().plus(Duration.ofMinutes(30)));
                }
                clock.advance(Duration.ofMinutes(1));
            }
            assertThat(sts.calls()).as("the first, then one a little over every 30 min for 2 h, not one per call").isEqualTo(4);
            for (int i = 1; i < sts.callTimes.size(); i++) {
                assertThat(sts.callTimes.get(i) - sts.callTimes.get(i - 1)).isGreaterThanOrEqualTo(Duration.ofMinutes(30).toMillis());
            }
        }
    }

    @Test
    void aSourceHandingBackTheSameCredentialsIsNotAskedOnEveryCall() {
        try (IrsaSession s = session()) {
            IrsaCredentials c = s.credentials();
            clock.advance(Duration.ofMinutes(50));
            // An agent that caches (as EKS Pod Identity's does) answers with the same credentials, 10 min left.
            for (int i = 0; i < 50; i++) {
                sts.thenAnswer(c);
            }
            for (int i = 0; i < 1000; i++) {
                assertThat(s.credentials(Duration.ofMinutes(15))).isEqualTo(c);
            }
            assertThat(sts.calls()).as("one refresh; then they are half their new life away from expiry").isEqualTo(2);
        }
    }

    @Test
    void whileBackingOffAfterAFailureNoRefreshIsStarted() {
        try (IrsaSession s = session()) {
            IrsaCredentials first = s.credentials();
            clock.advance(Duration.ofMinutes(50));
            sts.failAlways(ScriptedExchange.retryable("ServiceUnavailable"));
            assertThat(s.credentials(Duration.ofMinutes(15))).as("still valid: served, the caller checks").isSameAs(first);
            assertThat(sts.calls()).isEqualTo(2);
            assertThat(failures).hasSize(1);
            Duration backoff = failures.get(0).nextAttemptIn();
            assertThat(backoff).isPositive();

            for (int i = 0; i < 1000; i++) {
                assertThat(s.credentials(Duration.ofMinutes(15))).isSameAs(first);
            }
            clock.advance(backoff.minusMillis(1));
            assertThat(s.credentials(Duration.ofMinutes(15))).isSameAs(first);
            assertThat(sts.calls()).as("no STS call while backing off").isEqualTo(2);

            sts.failAlways(null);
            clock.advance(Duration.ofMillis(1)); // the retry is due
            IrsaCredentials refreshed = s.credentials(Duration.ofMinutes(15));
            assertThat(sts.calls()).isEqualTo(3);
            assertThat(refreshed.expiration()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
            assertThat(s.state().status()).isEqualTo(SessionState.Status.VALID);
        }
    }

    @Test
    void aDueRetryDuringAnOutageIsOneStsCallAndNoWait() {
        RefreshPolicy policy = RefreshPolicy.builder().jitter(0).backgroundRefresh(false)
                .waitTimeout(Duration.ofSeconds(30)).build();
        try (IrsaSession s = session(policy)) {
            IrsaCredentials first = s.credentials();
            clock.advance(Duration.ofMinutes(50));
            sts.failAlways(ScriptedExchange.retryable("ServiceUnavailable"));
            assertThat(s.credentials(Duration.ofMinutes(15))).isSameAs(first); // the first failure: a caller's refresh
            Duration backoff = failures.get(0).nextAttemptIn();
            clock.advance(backoff); // the retry is due
            scheduler.queueRefreshes(true); // would the caller wait for it? It must not
            long t0 = System.nanoTime();
            assertThat(s.credentials(Duration.ofMinutes(15))).isSameAs(first);
            // A wait would last the 30-s wait timeout (the queued retry never runs meanwhile); 10 s leaves a loaded
            // machine all the slack it needs and still proves there was none.
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("no wait").isLessThan(Duration.ofSeconds(10));
            scheduler.runQueued();
            assertThat(sts.calls()).isEqualTo(3);
            assertThat(sts.attemptsAllowed.get(2)).as("a retry is one attempt, as on the ordinary path").isEqualTo(1);
        }
    }

    /**
     * In the mandatory window a due retry is what the caller needs: it is started and waited for (bounded by
     * waitTimeout, never past expiry), as a refresh in flight is, not merely started while the seconds-long
     * credentials are served. The retry is queued, so the caller is seen waiting for it without timing.
     */
    @Test
    void inTheMandatoryWindowADueRetryIsWaitedFor() throws Exception {
        RefreshPolicy policy = RefreshPolicy.builder().jitter(0).backgroundRefresh(false)
                .waitTimeout(Duration.ofSeconds(30)).build();
        try (IrsaSession s = session(policy)) {
            IrsaCredentials first = s.credentials();
            clock.advance(Duration.ofMinutes(59).plusSeconds(10)); // 50 s left: mandatory window
            sts.thenFail(ScriptedExchange.retryable("Throttling"));
            assertThat(s.credentials(Duration.ofMinutes(15))).as("the refresh failed: still valid, served")
                    .isSameAs(first);
            assertThat(sts.calls()).isEqualTo(2);
            assertThat(failures.get(0).nextAttemptIn()).isLessThanOrEqualTo(Duration.ofSeconds(20));
            clock.advance(Duration.ofSeconds(20)); // 30 s left, the retry is due

            scheduler.queueRefreshes(true);
            java.util.concurrent.CompletableFuture<IrsaCredentials> caller =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> s.credentials(Duration.ofMinutes(15)));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (scheduler.queuedRefreshes() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(scheduler.queuedRefreshes()).as("the retry started").isEqualTo(1);
            scheduler.runQueued();
            IrsaCredentials got = caller.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(got).as("the caller waited for the retry, not served 30 s credentials").isNotSameAs(first);
            assertThat(got.expiration()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
            assertThat(sts.calls()).as("the retry only").isEqualTo(3);
        }
    }

    @Test
    void waitsForTheRefreshInFlightAtMostTheWaitTimeoutThenServesWhatIsValid() {
        RefreshPolicy policy = RefreshPolicy.builder().jitter(0).backgroundRefresh(false)
                .waitTimeout(Duration.ofMillis(50)).build();
        try (IrsaSession s = session(policy)) {
            IrsaCredentials first = s.credentials();
            clock.advance(Duration.ofMinutes(50));
            scheduler.queueRefreshes(true); // the refresh starts but does not finish while the caller waits
            long t0 = System.nanoTime();
            assertThat(s.credentials(Duration.ofMinutes(15))).isSameAs(first);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(scheduler.queuedRefreshes()).isEqualTo(1);
            assertThat(s.credentials(Duration.ofMinutes(15))).as("joins the one in flight").isSameAs(first);
            assertThat(scheduler.queuedRefreshes()).isEqualTo(1);
            scheduler.runQueued();
            assertThat(sts.calls()).isEqualTo(2);
            assertThat(s.credentials(Duration.ofMinutes(15))).isNotSameAs(first);
            assertThat(sts.calls()).isEqualTo(2);
        }
    }

    @Test
    void withoutValidCredentialsItFetchesAsTheOrdinaryCallDoes() {
        try (IrsaSession s = session()) {
            IrsaCredentials c = s.credentials(Duration.ofMinutes(15));
            assertThat(sts.calls()).isEqualTo(1);
            assertThat(sts.attemptsAllowed).containsExactly(3);
            assertThat(c.expiration()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
        }
    }

    @Test
    void aClosedSessionRefusesWithoutAnStsCall() {
        IrsaSession s = session();
        s.credentials();
        clock.advance(Duration.ofMinutes(50));
        s.close();
        assertThatThrownBy(() -> s.credentials(Duration.ofMinutes(15))).isInstanceOfSatisfying(IrsaException.class,
                e -> assertThat(e.kind()).isEqualTo(IrsaException.Kind.CLOSED));
        assertThat(sts.calls()).isEqualTo(1);
        assertThatThrownBy(() -> s.credentials(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("minValidity");
    }
}
