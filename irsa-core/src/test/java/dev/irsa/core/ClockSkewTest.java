package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.internal.CredentialExchange;
import dev.irsa.core.internal.ExchangeResult;
import dev.irsa.core.internal.StsWebIdentityExchange;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import dev.irsa.testkit.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node whose clock is far ahead of STS sees one-hour credentials as a few minutes long. STS's {@code Date} header
 * and the expiry it gave for the lifetime asked for both say how far: the engine warns once, and counts expiry on
 * STS's time, so it does not call STS over and over. Simulated time (a manual clock and timers).
 */
class ClockSkewTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private static final Instant STS_NOW = Instant.parse("2026-11-29T10:00:00Z");

    private final LogCapture logs = new LogCapture();

    @AfterEach
    void close() {
        logs.close();
    }

    /** Answers as STS does: credentials for the hour asked for, stamped by STS's own clock. */
    private static final class Sts implements CredentialExchange {
        private final ManualClock local;
        private final Duration ahead;
        private final Duration lifetime;
        int calls;

        Sts(ManualClock local, Duration ahead, Duration lifetime) {
            this.local = local;
            this.ahead = ahead;
            this.lifetime = lifetime;
        }

        @Override
        public synchronized ExchangeResult exchange(int maxAttempts) {
            calls++;
            Instant stsNow = local.instant().minus(ahead).truncatedTo(ChronoUnit.SECONDS);
            return new ExchangeResult(new IrsaCredentials("ASIATESTKEY" + String.format("%09d", calls), "secret-" + calls,
                    "token-" + calls, stsNow.plus(lifetime), "arn:aws:sts::111122223333:assumed-role/app/s"), null, 1,
                    stsNow, Duration.ofHours(1));
        }
    }

    /** As {@link Sts}, but without a {@code Date} header (a proxy that drops it): nothing confirms the skew. */
    private static final class StsWithoutDate implements CredentialExchange {
        private final Sts sts;

        StsWithoutDate(Sts sts) {
            this.sts = sts;
        }

        @Override
        public ExchangeResult exchange(int maxAttempts) {
            ExchangeResult r = sts.exchange(maxAttempts);
            return new ExchangeResult(r.credentials(), r.token(), r.stsCalls(), null, r.requestedLifetime());
        }
    }

    @Test
    void credentialsFarShorterThanAskedWithNoDateToTellAreNamedAsAPossibleSkewOnce() {
        Duration ahead = Duration.ofMinutes(58);
        ManualClock clock = new ManualClock(STS_NOW.plus(ahead));
        ManualScheduler scheduler = new ManualScheduler(clock);
        IrsaConfig config = IrsaConfig.builder().roleArn("arn:aws:iam::111122223333:role/app")
                .tokenFile(Path.of("/nonexistent/token")).region("us-west-2").clock(clock)
                .settings(SettingsSource.of(Map.of(), Map.of())).build();
        try (IrsaSession s = IrsaSession.create(config, new StsWithoutDate(new Sts(clock, ahead, Duration.ofHours(1))),
                scheduler)) {
            for (int second = 0; second <= 600; second += 5) {
                assertThat(s.credentials()).isNotNull();
                scheduler.advance(Duration.ofSeconds(5));
            }
        }
        assertThat(warnings()).as(logs.all()).isEqualTo(1);
        assertThat(logs.all()).contains("2 min").contains("1 h").contains("NTP");
    }

    private int callsOverAnHour(Duration ahead, Duration lifetime) {
        ManualClock clock = new ManualClock(STS_NOW.plus(ahead));
        ManualScheduler scheduler = new ManualScheduler(clock);
        Sts sts = new Sts(clock, ahead, lifetime);
        IrsaConfig config = IrsaConfig.builder().roleArn("arn:aws:iam::111122223333:role/app")
                .tokenFile(Path.of("/nonexistent/token")).region("us-west-2").clock(clock)
                .settings(SettingsSource.of(Map.of(), Map.of())).build();
        try (IrsaSession s = IrsaSession.create(config, sts, scheduler)) {
            for (int second = 0; second <= 3600; second += 5) { // callers all along, as an application has
                IrsaCredentials c = s.credentials();
                // valid by STS's time; handed out on this machine's clock (expiry moved by the skew)
                assertThat(c.expiration()).isAfter(clock.instant());
                scheduler.advance(Duration.ofSeconds(5));
            }
        }
        return sts.calls;
    }

    private long warnings() {
        return logs.lines().stream().filter(l -> l.startsWith("WARN") && l.contains("clock")).count();
    }

    @Test
    void aClock58MinutesAheadCostsNoMoreStsCallsThanTheFloorAllowsAndOneWarning() {
        int calls = callsOverAnHour(Duration.ofMinutes(58), Duration.ofHours(1));
        // The floor: never more often than min(5 min, a tenth of the lifetime), so at most 12 refreshes in an hour,
        // plus the first call. (Without the fix: a refresh every minute and a half or so.)
        assertThat(calls).as("STS calls in an hour").isLessThanOrEqualTo(13);
        assertThat(warnings()).as(logs.all()).isEqualTo(1);
        assertThat(logs.all()).contains("58 min ahead of STS").contains("NTP");
    }

    @Test
    void aClockBehindIsNamedTooAndExpiryIsCountedOnStsTime() {
        int calls = callsOverAnHour(Duration.ofMinutes(-30), Duration.ofHours(1));
        assertThat(calls).as("refreshed before STS's expiry, not 30 min after it").isBetween(2, 3);
        assertThat(warnings()).isEqualTo(1);
        assertThat(logs.all()).contains("30 min behind STS");
    }

    @Test
    void noSkewNoWarning() {
        assertThat(callsOverAnHour(Duration.ZERO, Duration.ofHours(1))).isBetween(2, 3);
        assertThat(warnings()).as(logs.all()).isZero();
    }

    @Test
    void overLoopbackHttpTheStsEmulatorsDateAndExpiryShowTheSkew(IrsaEnvironment env) {
        // The emulator answers on the real clock; this machine's (the session's) is 58 min ahead of it.
        ManualClock clock = new ManualClock(Instant.now().plus(Duration.ofMinutes(58)));
        ManualScheduler scheduler = new ManualScheduler(clock);
        IrsaConfig config = IrsaConfig.builder().roleArn(env.roleArn()).tokenFile(env.tokenFile()).region(env.region())
                .stsEndpoint(env.stsEndpoint()).roleSessionName("skewed").clock(clock)
                .refreshPolicy(RefreshPolicy.builder().jitter(0).build()).build();
        try (IrsaSession s = IrsaSession.create(config, new StsWebIdentityExchange(config), scheduler)) {
            for (int second = 0; second <= 600; second += 5) {
                assertThat(s.credentials()).isNotNull();
                scheduler.advance(Duration.ofSeconds(5));
            }
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity"))
                    .as("one-hour credentials last an hour, whatever this clock says").isEqualTo(1);
        }
        assertThat(warnings()).isEqualTo(1);
        assertThat(logs.all()).contains("58 min ahead of STS at " + env.stsEndpoint());
    }

    @Test
    void underASkewTheCredentialsHandedOutExpireWhenStateSaysOnThisMachinesClock() {
        // What callers compare with this machine's clock (the SDK's expirationTime, an RDS token's margin) must be
        // the corrected expiry, not STS's: else credentials valid for an hour look two minutes from expiry.
        Duration ahead = Duration.ofMinutes(58);
        ManualClock clock = new ManualClock(STS_NOW.plus(ahead));
        ManualScheduler scheduler = new ManualScheduler(clock);
        IrsaConfig config = IrsaConfig.builder().roleArn("arn:aws:iam::111122223333:role/app")
                .tokenFile(Path.of("/nonexistent/token")).region("us-west-2").clock(clock)
                .settings(SettingsSource.of(Map.of(), Map.of())).build();
        try (IrsaSession s = IrsaSession.create(config, new Sts(clock, ahead, Duration.ofHours(1)), scheduler)) {
            IrsaCredentials c = s.credentials();
            assertThat(s.state().expiration()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
            assertThat(c.expiration()).isEqualTo(s.state().expiration());
            assertThat(s.credentials(Duration.ofMinutes(3)).expiration()).isEqualTo(s.state().expiration());
            assertThat(c.toString()).doesNotContain("secret-1").doesNotContain("token-1");
        }
    }

    @Test
    void aSessionTakenUpAgainUnderASkewKeepsTheCorrectedExpiry() {
        Duration ahead = Duration.ofMinutes(58);
        ManualClock clock = new ManualClock(STS_NOW.plus(ahead));
        ManualScheduler scheduler = new ManualScheduler(clock);
        Sts sts = new Sts(clock, ahead, Duration.ofHours(1));
        IrsaConfig config = IrsaConfig.builder().roleArn("arn:aws:iam::111122223333:role/app")
                .tokenFile(Path.of("/nonexistent/token")).region("us-west-2").clock(clock)
                .refreshPolicy(RefreshPolicy.builder().jitter(0).build())
                .settings(SettingsSource.of(Map.of(), Map.of())).build();
        IrsaCredentials first;
        try (IrsaSession s = IrsaSession.shared(config, sts, scheduler)) {
            first = s.credentials();
        }
        clock.advance(Duration.ofMinutes(30)); // by STS's expiry long past; by the corrected one half an hour left
        try (IrsaSession s = IrsaSession.shared(config, sts, scheduler)) {
            assertThat(s.credentials()).isEqualTo(first);
            assertThat(sts.calls).as("taken up from the kept session: no STS call").isEqualTo(1);
            assertThat(s.state().expiration()).isEqualTo(first.expiration())
                    .isEqualTo(clock.instant().plus(Duration.ofMinutes(30)));
        }
    }

    @Test
    void overLoopbackHttpARightClockGetsNoWarning(IrsaEnvironment env) {
        IrsaConfig config = IrsaConfig.builder().roleArn(env.roleArn()).tokenFile(env.tokenFile()).region(env.region())
                .stsEndpoint(env.stsEndpoint()).roleSessionName("right").build();
        try (IrsaSession s = IrsaSession.create(config, new StsWebIdentityExchange(config),
                new ManualScheduler(new ManualClock(Instant.now())))) {
            assertThat(s.credentials()).isNotNull();
        }
        assertThat(warnings()).as(logs.all()).isZero();
    }

    @Test
    void whenTheDateAndTheExpiryDisagreeNeitherIsTrusted() {
        // Credentials far shorter than asked for (as the test kit's emulator can issue) on a clock that is right:
        // the expiry alone would suggest a clock an hour ahead, the Date says it is right.
        ManualClock clock = new ManualClock(STS_NOW);
        Sts sts = new Sts(clock, Duration.ZERO, Duration.ofMinutes(2));
        IrsaConfig config = IrsaConfig.builder().roleArn("arn:aws:iam::111122223333:role/app")
                .tokenFile(Path.of("/nonexistent/token")).region("us-west-2").clock(clock)
                .settings(SettingsSource.of(Map.of(), Map.of())).build();
        try (IrsaSession s = IrsaSession.create(config, sts, new ManualScheduler(clock))) {
            assertThat(s.credentials()).isNotNull();
            assertThat(s.state().expiration()).isEqualTo(STS_NOW.plus(Duration.ofMinutes(2)));
        }
        assertThat(warnings()).isZero();
    }
}
