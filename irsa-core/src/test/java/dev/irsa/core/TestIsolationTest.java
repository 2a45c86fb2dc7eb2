package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.testkit.ManualClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link TestIsolation#reset()}: after it, nothing fetched before answers a new session, while sessions already held
 * go on and are closed by their last holder.
 */
class TestIsolationTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-29T10:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ScriptedExchange sts = new ScriptedExchange(clock);
    private final IrsaConfig config = IrsaConfig.builder().roleArn("arn:aws:iam::111122223333:role/app")
            .tokenFile(Path.of("/nonexistent/token")).region("us-west-2").clock(clock)
            .settings(SettingsSource.of(Map.of(), Map.of())).build();

    @Test
    void afterAResetANewHoldAsksStsWhetherTheOldSessionWasClosedOrIsStillHeld() {
        try (IrsaSession closed = IrsaSession.shared(config, sts, scheduler)) {
            closed.credentials();
        }
        assertThat(SessionRegistry.global().resumableSize()).as("credentials kept").isPositive();
        IrsaSession held = IrsaSession.shared(config, sts, scheduler);
        assertThat(sts.calls()).as("resumed").isEqualTo(1);
        TestIsolation.reset();
        assertThat(SessionRegistry.global().resumableSize()).isZero();

        IrsaSession fresh = IrsaSession.shared(config, sts, scheduler);
        IrsaCredentials c = fresh.credentials();
        assertThat(sts.calls()).as("a session of its own, asking STS").isEqualTo(2);
        assertThat(IrsaSession.sameEngine(held, fresh)).isFalse();
        assertThat(held.credentials()).as("the detached session goes on").isNotEqualTo(c);

        TestIsolation.reset();
        held.close();
        assertThat(held.state().status()).as("its last holder closes it").isEqualTo(SessionState.Status.CLOSED);
        assertThat(fresh.state().status()).isNotEqualTo(SessionState.Status.CLOSED);
        fresh.close();
        assertThat(fresh.state().status()).isEqualTo(SessionState.Status.CLOSED);
        assertThat(SessionRegistry.global().size()).isZero();
        assertThat(SessionRegistry.global().resumableSize()).as("nothing kept from a detached session").isZero();
    }
}
