package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.SessionState;
import dev.irsa.core.SettingsSource;
import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.ManualClock;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A provider used after its owner's last close() takes its session up again; once that hold has gone unused for
 * {@link IrsaCredentialsProvider#RELEASE_AFTER_IDLE}, it is released, so nothing runs forever for a provider nobody
 * uses. Idle time is measured by the provider's clock (a manual one here), checked by the shared scheduler's
 * once-a-second clock watchdog: the test moves the clock and waits for that check, never for the idle period.
 */
class IdleReleaseTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private static List<Thread> ourThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("irsa-")
                && !t.getName().startsWith("irsa-testkit")).toList();
    }

    /** Waits for what the watchdog (once a second) and the threads' ending make true; bounded. */
    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static IrsaCredentialsProvider.Builder builder(IrsaEnvironment env, ManualClock clock) {
        return IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment())).clock(clock);
    }

    @Test
    void anUnsharedProviderTakenUpAfterCloseIsReleasedWhenUnusedAndTakenUpAgainLater(IrsaEnvironment env)
            throws Exception {
        ManualClock clock = ManualClock.now();
        IrsaCredentialsProvider p = builder(env, clock).roleSessionName("idle-unshared").shared(false).build();
        String key = p.resolveCredentials().accessKeyId();
        p.close(); // its owner's last close: an SDK client closed it
        await(() -> ourThreads().isEmpty());
        assertThat(ourThreads()).as("threads after the owner's close").isEmpty();

        assertThat(p.resolveCredentials().accessKeyId()).as("used again: taken up again").isEqualTo(key);
        assertThat(ourThreads()).as("the re-taken session's threads").isNotEmpty();

        clock.advance(IrsaCredentialsProvider.RELEASE_AFTER_IDLE.plusSeconds(1));
        await(() -> ourThreads().isEmpty());
        assertThat(ourThreads()).as("threads after the re-taken hold went unused").isEmpty();
        assertThat(p.state().orElseThrow().status()).isEqualTo(SessionState.Status.CLOSED);

        assertThat(p.resolveCredentials().accessKeyId()).as("a later use takes it up again").isEqualTo(key);
        p.close();
        await(() -> ourThreads().isEmpty());
        assertThat(ourThreads()).isEmpty();
    }

    @Test
    void aSharedProviderTakenUpAfterCloseReleasesItsShareWhenUnused(IrsaEnvironment env) throws Exception {
        ManualClock clock = ManualClock.now();
        IrsaCredentialsProvider p = builder(env, clock).roleSessionName("idle-shared").build();
        p.resolveCredentials();
        p.close();
        assertThat(SessionRegistry.global().size()).isZero();

        p.resolveIdentity(software.amazon.awssdk.identity.spi.ResolveIdentityRequest.builder().build())
                .get(10, java.util.concurrent.TimeUnit.SECONDS); // used again, asynchronously
        assertThat(SessionRegistry.global().size()).as("taken up again").isEqualTo(1);

        clock.advance(IrsaCredentialsProvider.RELEASE_AFTER_IDLE.plusSeconds(1));
        await(() -> SessionRegistry.global().size() == 0 && ourThreads().isEmpty());
        assertThat(SessionRegistry.global().size()).as("shared sessions after the re-taken hold went unused").isZero();
        assertThat(ourThreads()).isEmpty();

        assertThat(p.resolveCredentials().accessKeyId()).startsWith("ASIA");
        p.close();
    }
}
