package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.internal.ContainerCredentialsExchange;
import dev.irsa.core.internal.CredentialExchange;
import dev.irsa.core.internal.ExchangeResult;
import dev.irsa.testkit.ManualClock;
import dev.irsa.testkit.PodIdentityEnvironment;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The minimum refresh interval: a node clock far ahead that nothing can detect (the EKS Pod Identity agent runs on
 * the node, so its answers carry this node's time and only an expiry; a proxy that strips STS's {@code Date}) must not
 * turn into a loop of exchanges. Within the interval after a success no exchange starts, the credentials it obtained
 * are served even though this clock says they are expired, one WARN names the likely cause. Simulated time: the
 * session's manual clock runs ahead of the issuer's by a fixed amount, timers fire as it advances.
 */
class MinimumRefreshIntervalTest {
    private static final Instant AWS_NOW = Instant.parse("2026-11-29T10:00:00Z");

    private final LogCapture logs = new LogCapture();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        logs.close();
        assertThat(logs.all()).doesNotContain("secret-").doesNotContainPattern("(?<!irsa-)token-\\d");
    }

    /** The outcome of an hour of callers every 5 s: exchanges made, what was served, health seen. */
    private record Hour(long exchanges, int served, int failed, int down, List<Instant> servedExpiries) {}

    private Hour anHourOfCallers(IrsaSession s, ManualScheduler scheduler, CallerKind kind,
                                 java.util.function.LongSupplier exchanges) {
        return callers(Duration.ofHours(1), s, scheduler, kind, exchanges);
    }

    private Hour callers(Duration span, IrsaSession s, ManualScheduler scheduler, CallerKind kind,
                         java.util.function.LongSupplier exchanges) {
        int served = 0;
        int failed = 0;
        int down = 0;
        List<Instant> expiries = new ArrayList<>();
        for (long second = 0; second < span.toSeconds(); second += 5) {
            try {
                IrsaCredentials c = switch (kind) {
                    case PLAIN -> s.credentials();
                    case ASYNC -> s.credentialsAsync().get(10, TimeUnit.SECONDS);
                    case MIN_VALIDITY -> s.credentials(Duration.ofMinutes(5));
                };
                expiries.add(c.expiration());
                served++;
            } catch (Exception e) {
                failed++;
            }
            if (!s.state().healthy()) {
                down++;
            }
            scheduler.advance(Duration.ofSeconds(5));
        }
        return new Hour(exchanges.getAsLong(), served, failed, down, expiries);
    }

    private enum CallerKind { PLAIN, ASYNC, MIN_VALIDITY }

    // ---- EKS Pod Identity over loopback HTTP: the agent emulator on AWS's time, this node's clock ahead of it

    private Hour podIdentity(Duration ahead, RefreshPolicy policy, CallerKind kind) {
        return podIdentity(Duration.ofHours(1), ahead, policy, kind);
    }

    private Hour podIdentity(Duration span, Duration ahead, RefreshPolicy policy, CallerKind kind) {
        ManualClock local = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        Clock aws = Clock.offset(local, ahead.negated());
        ManualScheduler scheduler = new ManualScheduler(local);
        PodIdentityEnvironment env = PodIdentityEnvironment.builder().clock(aws).credentialLifetime(Duration.ofHours(1))
                .start();
        open.add(env);
        PodIdentityConfig c = PodIdentityConfig.builder().settings(SettingsSource.ofEnvironment(Map.of()))
                .endpoint(env.agentEndpoint()).tokenFile(env.tokenFile()).clock(local).refreshPolicy(policy).build();
        IrsaSession s = IrsaSession.create(c, new ContainerCredentialsExchange(c), scheduler);
        open.add(s);
        return callers(span, s, scheduler, kind, () -> env.agent().calls().size());
    }

    private static RefreshPolicy defaults() {
        return RefreshPolicy.defaults();
    }

    private long floorWarnings() {
        return logs.lines().stream().filter(l -> l.startsWith("WARN") && l.contains("clock")).count();
    }

    @Test
    void podIdentityWithAClock59m50sAheadCallsTheAgentAtMostOnceAMinute() {
        Hour h = podIdentity(Duration.ofMinutes(59).plusSeconds(50), defaults(), CallerKind.PLAIN);
        // Without the floor: credentials that look 10 s long, a refresh every few seconds (about 500 an hour).
        assertThat(h.exchanges()).as("agent calls in an hour").isBetween(55L, 61L);
        assertThat(h.failed()).as("every caller served").isZero();
        assertThat(h.down()).as("health never DOWN while what is served is valid at AWS").isZero();
        assertThat(floorWarnings()).as(logs.all()).isEqualTo(1);
        assertThat(logs.all()).contains("ahead").contains("at least 14 min").contains("NTP");
    }

    @Test
    void podIdentityWithAClock61MinutesAheadIsServedAndCallsTheAgentAtMostOnceAMinute() {
        Hour h = podIdentity(Duration.ofMinutes(61), defaults(), CallerKind.PLAIN);
        // Without the floor: credentials that look expired on arrival, every caller blocks on a fresh exchange.
        assertThat(h.exchanges()).as("agent calls in an hour").isBetween(55L, 61L);
        assertThat(h.failed()).as("every caller served").isZero();
        assertThat(h.down()).isZero();
        assertThat(floorWarnings()).as(logs.all()).isEqualTo(1);
        assertThat(logs.all()).contains("ahead").contains("at least 16 min").contains("NTP");
    }

    @Test
    void asynchronousCallersKeepToTheFloorToo() {
        Hour h = podIdentity(Duration.ofMinutes(61), defaults(), CallerKind.ASYNC);
        assertThat(h.exchanges()).isBetween(55L, 61L);
        assertThat(h.failed()).isZero();
    }

    /**
     * A caller asking for credentials valid 5 min longer than this clock thinks they are is served the ones just
     * obtained rather than made to wait for (or start) another exchange: they are valid at AWS for 14 min or more.
     */
    @Test
    void aMinimumValidityTheFreshCredentialsCannotMeetDoesNotLoop() {
        Hour h = podIdentity(Duration.ofMinutes(61), defaults(), CallerKind.MIN_VALIDITY);
        assertThat(h.exchanges()).isBetween(55L, 61L);
        assertThat(h.failed()).isZero();
        assertThat(floorWarnings()).isEqualTo(1);
    }

    @Test
    void withTheFloorOffAClockFarAheadStillRefreshesAsOftenAsTheCredentialsLookShort() {
        Hour h = podIdentity(Duration.ofMinutes(10), Duration.ofMinutes(59).plusSeconds(50),
                RefreshPolicy.builder().minimumRefreshInterval(Duration.ZERO).build(), CallerKind.PLAIN);
        assertThat(h.exchanges()).as("the old behaviour: an exchange every few seconds, for ten minutes")
                .isGreaterThan(50);
    }

    @Test
    void aSmallerFloorIsKeptToo() {
        Hour h = podIdentity(Duration.ofMinutes(61),
                RefreshPolicy.builder().minimumRefreshInterval(Duration.ofSeconds(30)).build(), CallerKind.PLAIN);
        assertThat(h.exchanges()).isBetween(110L, 121L);
        assertThat(h.failed()).isZero();
    }

    @Test
    void healthStaysUpDuringTheFloorAndTheStateSaysWhy() {
        ManualClock local = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        ManualScheduler scheduler = new ManualScheduler(local);
        PodIdentityEnvironment env = PodIdentityEnvironment.builder().clock(Clock.offset(local, Duration.ofMinutes(-61)))
                .credentialLifetime(Duration.ofHours(1)).start();
        open.add(env);
        PodIdentityConfig c = PodIdentityConfig.builder().settings(SettingsSource.ofEnvironment(Map.of()))
                .endpoint(env.agentEndpoint()).tokenFile(env.tokenFile()).clock(local).build();
        IrsaSession s = IrsaSession.create(c, new ContainerCredentialsExchange(c), scheduler);
        open.add(s);
        IrsaCredentials first = s.credentials();
        assertThat(first.expiration()).as("expired by this clock").isBefore(local.instant());
        scheduler.advance(Duration.ofSeconds(30));
        assertThat(s.credentials()).isSameAs(first);
        SessionState state = s.state();
        assertThat(state.status()).isEqualTo(SessionState.Status.VALID);
        assertThat(state.healthStatus()).isEqualTo("UP");
        assertThat(env.agent().calls()).hasSize(1);
        scheduler.advance(Duration.ofSeconds(31));
        assertThat(env.agent().calls()).as("the background refresh, once the floor has passed").hasSize(2);
        assertThat(s.credentials()).isNotSameAs(first);
        assertThat(s.state().healthStatus()).isEqualTo("UP");
    }

    /**
     * One failure at the floor's end must not cut everyone off: on a node 61 min ahead, the agent fails from the
     * interval's end on (an outage), yet what callers hold (a new key, so freshly issued) is valid at AWS for about
     * 14 min after it was obtained. It is served (health UP, the state says the clock is ahead) through the backoff
     * until then, not one call more.
     */
    @Test
    void anAgentFailingAtTheFloorsEndDoesNotCutCallersOffWhileWhatTheyHoldIsValidAtAws() {
        ManualClock local = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        ManualScheduler scheduler = new ManualScheduler(local);
        PodIdentityEnvironment env = PodIdentityEnvironment.builder().clock(Clock.offset(local, Duration.ofMinutes(-61)))
                .credentialLifetime(Duration.ofHours(1)).start();
        open.add(env);
        PodIdentityConfig c = PodIdentityConfig.builder().settings(SettingsSource.ofEnvironment(Map.of()))
                .endpoint(env.agentEndpoint()).tokenFile(env.tokenFile()).clock(local).build();
        IrsaSession s = IrsaSession.create(c, new ContainerCredentialsExchange(c), scheduler);
        open.add(s);
        IrsaCredentials initial = s.credentials();
        // A first answer from an agent carries no proof it was just issued; the refresh at the interval's end brings a
        // new key replacing the held one: that proves it, and those are the floored credentials this test is about.
        scheduler.advance(Duration.ofSeconds(61));
        assertThat(env.agent().calls()).as("the background refresh at the interval's end").hasSize(2);
        IrsaCredentials first = s.credentials();
        assertThat(first.accessKeyId()).as("a new key").isNotEqualTo(initial.accessKeyId());
        Instant obtained = local.instant().minusSeconds(1);
        env.agent().faults().failAlways(dev.irsa.testkit.PodIdentityFault.INTERNAL_ERROR);

        Hour h = callers(Duration.ofMinutes(13), s, scheduler, CallerKind.PLAIN, () -> env.agent().calls().size());
        assertThat(h.failed()).as("every caller served while what they hold is valid at AWS").isZero();
        assertThat(h.down()).as("health UP meanwhile").isZero();
        assertThat(h.servedExpiries()).containsOnly(first.expiration());
        assertThat(h.exchanges()).as("retries with backoff, not a loop").isBetween(3L, 30L);
        assertThat(s.state().status()).isEqualTo(SessionState.Status.DEGRADED);
        assertThat(s.state().clockAhead()).as("served past what this clock says").isTrue();

        scheduler.advance(Duration.between(local.instant(), obtained.plus(Duration.ofMinutes(14))));
        assertThat(s.state().healthStatus()).as("no longer valid at AWS (14 min after they were obtained)")
                .isEqualTo("DOWN");
        org.assertj.core.api.Assertions.assertThatThrownBy(s::credentials).isInstanceOf(IrsaException.class)
                .hasMessageContaining("ahead").hasMessageContaining("NTP");

        env.agent().faults().clear();
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(s.credentials()).isNotSameAs(first);
        assertThat(s.state().healthStatus()).isEqualTo("UP");
    }

    /**
     * A first answer from an endpoint that is not STS (a Pod Identity or ECS agent, a caching sidecar) carries no proof
     * it was just issued: on a CORRECT clock, cached credentials with 40 s left really have 40 s left at AWS. They are
     * served within the interval only, not for 14 min: once it has ended and the agent fails, callers get errors and
     * the state is not VALID, rather than credentials AWS already refuses.
     */
    @Test
    void aFirstShortAnswerFromAnAgentOnACorrectClockIsNotServedPastTheInterval() {
        ManualClock local = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        ManualScheduler scheduler = new ManualScheduler(local);
        PodIdentityEnvironment env = PodIdentityEnvironment.builder().clock(local)
                .credentialLifetime(Duration.ofSeconds(40)).start();
        open.add(env);
        PodIdentityConfig c = PodIdentityConfig.builder().settings(SettingsSource.ofEnvironment(Map.of()))
                .endpoint(env.agentEndpoint()).tokenFile(env.tokenFile()).clock(local).build();
        IrsaSession s = IrsaSession.create(c, new ContainerCredentialsExchange(c), scheduler);
        open.add(s);
        IrsaCredentials first = s.credentials();
        Instant obtained = local.instant();
        assertThat(first.expiration()).isEqualTo(obtained.plusSeconds(40));
        env.agent().faults().failAlways(dev.irsa.testkit.PodIdentityFault.INTERNAL_ERROR);

        scheduler.advance(Duration.ofSeconds(50));
        assertThat(s.credentials()).as("within the interval, as before").isSameAs(first);

        scheduler.advance(Duration.between(local.instant(), obtained.plus(Duration.ofSeconds(61))));
        assertThat(env.agent().calls().size()).as("a refresh was tried at the interval's end").isGreaterThan(1);
        Hour h = callers(Duration.ofMinutes(13), s, scheduler, CallerKind.PLAIN, () -> env.agent().calls().size());
        assertThat(h.served()).as("nothing served once the interval has ended: AWS refuses them").isZero();
        assertThat(h.failed()).isPositive();
        assertThat(s.state().status()).isNotEqualTo(SessionState.Status.VALID)
                .isNotEqualTo(SessionState.Status.DEGRADED);
        assertThat(s.state().healthStatus()).isEqualTo("DOWN");
        org.assertj.core.api.Assertions.assertThatThrownBy(s::credentials).isInstanceOf(IrsaException.class)
                .hasMessageContaining("expired at " + first.expiration()).hasMessageContaining("cached")
                .hasMessageNotContaining("were served while still valid at AWS");
    }

    /**
     * The floor's premise (at least 15 min left at AWS) holds only for credentials just issued. An endpoint that hands
     * back the same cached credentials again (an ECS agent, a loopback sidecar) on a correct clock: when they look
     * short, they are not served past their expiry and a refresh may start before it (the old rules).
     */
    @Test
    void theSameCredentialsHandedBackAgainAreNotServedPastTheirExpiry() {
        ManualClock local = new ManualClock(AWS_NOW);
        ManualScheduler scheduler = new ManualScheduler(local);
        IrsaCredentials cached = new IrsaCredentials("ASIACACHED", "secret-cached", "token-cached",
                AWS_NOW.plus(Duration.ofSeconds(150)), null);
        ScriptedExchange sidecar = new ScriptedExchange(local).thenAnswer(cached).thenAnswer(cached).thenAnswer(cached);
        IrsaConfig config = IrsaConfig.builder().roleArn("arn:aws:iam::111122223333:role/app")
                .tokenFile(Path.of("/nonexistent/token")).region("us-west-2").clock(local)
                .settings(SettingsSource.of(Map.of(), Map.of())).build();
        IrsaSession s = IrsaSession.create(config, sidecar, scheduler);
        open.add(s);
        for (int second = 0; second < 240; second++) {
            IrsaCredentials c;
            try {
                c = s.credentials();
            } catch (IrsaException e) {
                c = null;
            }
            if (c != null) {
                assertThat(c.expiration()).as("served at %s s", second).isAfter(local.instant());
            }
            scheduler.advance(Duration.ofSeconds(1));
        }
        assertThat(sidecar.calls()).as("new credentials came once the cached ones ran out").isGreaterThanOrEqualTo(4);
        assertThat(s.credentials().accessKeyId()).isNotEqualTo("ASIACACHED");
        assertThat(s.state().clockAhead()).isFalse();
    }

    // ---- IRSA through a proxy that strips STS's Date header: the skew cannot be confirmed

    /** Answers as STS does (credentials for the hour asked for, on STS's clock), without a Date header. */
    private static final class StsWithoutDate implements CredentialExchange {
        private final ManualClock local;
        private final Duration ahead;
        int calls;

        StsWithoutDate(ManualClock local, Duration ahead) {
            this.local = local;
            this.ahead = ahead;
        }

        @Override
        public synchronized ExchangeResult exchange(int maxAttempts) {
            calls++;
            Instant stsNow = local.instant().minus(ahead).truncatedTo(ChronoUnit.SECONDS);
            return new ExchangeResult(new IrsaCredentials("ASIATESTKEY" + String.format("%09d", calls), "secret-" + calls,
                    "token-" + calls, stsNow.plus(Duration.ofHours(1)), "arn:aws:sts::111122223333:assumed-role/app/s"),
                    null, 1, null, Duration.ofHours(1));
        }
    }

    private Hour irsaWithoutDate(Duration ahead, RefreshPolicy policy) {
        ManualClock local = new ManualClock(AWS_NOW.plus(ahead));
        ManualScheduler scheduler = new ManualScheduler(local);
        StsWithoutDate sts = new StsWithoutDate(local, ahead);
        IrsaConfig config = IrsaConfig.builder().roleArn("arn:aws:iam::111122223333:role/app")
                .tokenFile(Path.of("/nonexistent/token")).region("us-west-2").clock(local).refreshPolicy(policy)
                .settings(SettingsSource.of(Map.of(), Map.of())).build();
        IrsaSession s = IrsaSession.create(config, sts, scheduler);
        open.add(s);
        return anHourOfCallers(s, scheduler, CallerKind.PLAIN, () -> sts.calls);
    }

    @Test
    void irsaWithoutADateHeaderAndAClock61MinutesAheadCallsStsAtMostOnceAMinute() {
        Hour h = irsaWithoutDate(Duration.ofMinutes(61), defaults());
        assertThat(h.exchanges()).as("STS calls in an hour").isBetween(55L, 61L);
        assertThat(h.failed()).isZero();
        assertThat(h.down()).isZero();
        assertThat(floorWarnings()).as(logs.all()).isEqualTo(1);
        // STS granted the hour asked for, so the clock is about an hour ahead
        assertThat(logs.all()).contains("at least 1 h 1 min").contains("NTP");
    }

    @Test
    void irsaWithTheFloorOffKeepsTheOldLoop() {
        Hour h = irsaWithoutDate(Duration.ofMinutes(61),
                RefreshPolicy.builder().minimumRefreshInterval(Duration.ZERO).build());
        assertThat(h.failed()).as("credentials that look expired on arrival are refused, as before").isPositive();
        assertThat(h.exchanges()).isGreaterThan(200);
    }

    /**
     * An issuer whose Date says this clock is right but that grants 20 s (the test kit's emulators can): the floor
     * holds all the same, and the one WARN says how to turn it off rather than blame the clock.
     */
    @Test
    void credentialsShorterThanTheFloorFromAnIssuerOnTheSameClockGetAWarningThatSaysHowToOptOut() {
        ManualClock local = new ManualClock(AWS_NOW);
        ManualScheduler scheduler = new ManualScheduler(local);
        int[] calls = {0};
        CredentialExchange shortLived = maxAttempts -> {
            calls[0]++;
            return new ExchangeResult(new IrsaCredentials("ASIASHORT" + calls[0], "secret-" + calls[0],
                    "token-" + calls[0], local.instant().plusSeconds(20), null), null, 1, local.instant(),
                    Duration.ofHours(1));
        };
        IrsaConfig config = IrsaConfig.builder().roleArn("arn:aws:iam::111122223333:role/app")
                .tokenFile(Path.of("/nonexistent/token")).region("us-west-2").clock(local)
                .settings(SettingsSource.of(Map.of(), Map.of())).build();
        IrsaSession s = IrsaSession.create(config, shortLived, scheduler);
        open.add(s);
        Hour h = callers(Duration.ofMinutes(5), s, scheduler, CallerKind.PLAIN, () -> calls[0]);
        assertThat(h.exchanges()).isBetween(5L, 6L);
        assertThat(h.failed()).isZero();
        assertThat(floorWarnings()).as(logs.all()).isEqualTo(1);
        assertThat(logs.all()).contains("Date header says is right").contains("irsa.refresh.minimum-interval")
                .doesNotContain("NTP");
    }

    @Test
    void theIntervalIsValidated() {
        assertThat(RefreshPolicy.defaults().minimumRefreshInterval()).isEqualTo(Duration.ofSeconds(60));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RefreshPolicy.builder()
                .minimumRefreshInterval(Duration.ofMinutes(6))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("15 min");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RefreshPolicy.builder()
                .minimumRefreshInterval(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(RefreshPolicy.builder().minimumRefreshInterval(Duration.ZERO).build())
                .isNotEqualTo(RefreshPolicy.defaults());
    }
}
