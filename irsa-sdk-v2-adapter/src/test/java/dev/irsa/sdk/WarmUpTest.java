package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.RefreshListener;
import dev.irsa.core.SettingsSource;
import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.sdk.internal.WarmUp;
import dev.irsa.testkit.Fault;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * The warm-up the Spring, Quarkus and Micronaut integrations share, against the emulator over loopback HTTP: it
 * starts without waiting for STS, logs its outcome without a secret, and a withdrawn call starts nothing afterwards.
 */
class WarmUpTest {
    static {
        // slf4j-simple reads a logger's level when the logger is made, i.e. when WarmUp is loaded: after this
        System.setProperty("org.slf4j.simpleLogger.log." + WarmUp.class.getName(), "debug");
    }

    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private static final Duration LATENCY = Duration.ofMillis(800);

    @AfterEach
    void clearFaults() {
        irsa.environment().sts().faults().clear();
    }

    private static IrsaCredentialsProvider provider(IrsaEnvironment env, String sessionName) {
        return IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                .roleSessionName(sessionName).build();
    }

    @Test
    void startsWithoutWaitingForStsAndLogsThatCredentialsAreReadyWithoutThem(IrsaEnvironment env) throws IOException {
        env.sts().faults().latency(LATENCY);
        AtomicReference<AwsCredentialsIdentity> got = new AtomicReference<>();
        try (IrsaCredentialsProvider p = provider(env, "warm-up-ready")) {
            WarmUp warmUp = new WarmUp();
            String log = StdErrCapture.during(() -> {
                assertThat(warmUp.start(true, () -> p)).isTrue();
                CompletableFuture<? extends AwsCredentialsIdentity> call = warmUp.pending().orElseThrow();
                assertThat(call).as("start returned before STS answered").isNotDone();
                assertThat(call).succeedsWithin(Duration.ofSeconds(10)).satisfies(got::set);
            });
            assertThat(log).contains("IRSA warm-up: credentials ready");
            assertNoSecret(log, env, got.get());
            assertThat(p.resolveCredentials().accessKeyId()).as("served from the warm-up's fetch")
                    .isEqualTo(got.get().accessKeyId());
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
        }
    }

    @Test
    void aFailedWarmUpLogsThatTheApplicationGoesOnWithoutTheTokenOrTheError(IrsaEnvironment env) throws IOException {
        env.sts().faults().failAlways(Fault.INVALID_IDENTITY_TOKEN);
        try (IrsaCredentialsProvider p = provider(env, "warm-up-failed")) {
            WarmUp warmUp = new WarmUp();
            String log = StdErrCapture.during(() -> {
                assertThat(warmUp.start(true, () -> p)).isTrue();
                assertThat(warmUp.pending().orElseThrow()).failsWithin(Duration.ofSeconds(10));
            });
            assertThat(log).contains("IRSA warm-up did not get credentials; the application keeps starting");
            assertNoSecret(log, env, null);
        }
    }

    @Test
    void withdrawCancelsThePendingCallAndNoStsCallFollowsIt(IrsaEnvironment env) {
        env.sts().faults().latency(LATENCY);
        AtomicInteger refreshes = new AtomicInteger(); // each begins before its STS call(s), on the refresh thread
        IrsaCredentialsProvider p = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("warm-up-withdrawn")
                .addListener(new RefreshListener() {
                    @Override
                    public void onRefreshStarted(Started event) {
                        refreshes.incrementAndGet();
                    }
                }).build();
        WarmUp warmUp = new WarmUp();
        try {
            String log = StdErrCapture.during(() -> {
                assertThat(warmUp.start(true, () -> p)).isTrue();
                CompletableFuture<? extends AwsCredentialsIdentity> call = warmUp.pending().orElseThrow();
                await("the warm-up's refresh began", () -> refreshes.get() == 1);
                assertThat(call).as("still waiting for STS").isNotDone();
                warmUp.withdraw();
                warmUp.withdraw(); // idempotent: a Spring context both stops and destroys it
                assertThat(call).as("withdrawn").isCompletedExceptionally();
                p.close(); // the owner shutting down, as each framework does after withdrawing
            });
            assertThat(log).contains("IRSA warm-up withdrawn");
            // The close answers the callers of the session it ended on a callback thread; for one it did not withdraw,
            // the provider opens a session of its own and refreshes (calls STS) before that session ends. So once no
            // session and no thread of ours is left, every refresh there will ever be has begun.
            await("no session or thread left", () -> SessionRegistry.global().size() == 0 && ourThreads().isEmpty());
            assertThat(refreshes.get()).as("refreshes (STS calls) besides the one under way at the withdrawal")
                    .isEqualTo(1);
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isLessThanOrEqualTo(1);
        } finally {
            p.close();
        }
    }

    @Test
    void noCallWhenOffOrForAnUnavailableProvider(IrsaEnvironment env) {
        WarmUp warmUp = new WarmUp();
        assertThat(warmUp.start(false, () -> {
            throw new AssertionError("the provider is not needed when the warm-up is off");
        })).isFalse();
        try (IrsaCredentialsProvider unavailable = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(java.util.Map.of())).build()) {
            assertThat(unavailable.unavailableReason()).isPresent();
            assertThat(warmUp.start(true, () -> unavailable)).isFalse();
        }
        assertThat(warmUp.pending()).isEmpty();
        warmUp.withdraw(); // nothing to withdraw: no-op
        assertThat(env.sts().calls().all()).isEmpty();
    }

    /**
     * The provider's state decides, not a framework setting: an eager-started provider holds credentials whoever
     * built it (the framework's own bean, or the application's with its own {@code eagerStart(true)}, which no
     * {@code irsa.eager-start} property describes), and so does one whose session another integration filled.
     */
    @Test
    void noCallWhenTheSessionAlreadyHoldsCredentials(IrsaEnvironment env) {
        try (IrsaCredentialsProvider eager = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("warm-up-eager")
                .eagerStart(true).build()) {
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
            WarmUp warmUp = new WarmUp();
            assertThat(warmUp.start(true, () -> eager)).isFalse();
            assertThat(warmUp.pending()).isEmpty();
            try (IrsaCredentialsProvider sameSession = provider(env, "warm-up-eager")) {
                assertThat(warmUp.start(true, () -> sameSession)).as("another provider on the filled session")
                        .isFalse();
            }
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
        }
    }

    private static void assertNoSecret(String log, IrsaEnvironment env, AwsCredentialsIdentity c) throws IOException {
        assertThat(log).doesNotContain(Files.readString(env.tokenFile()).strip());
        if (c != null) {
            assertThat(log).doesNotContain(c.accessKeyId()).doesNotContain(c.secretAccessKey());
            if (c instanceof AwsSessionCredentialsIdentity s) {
                assertThat(log).doesNotContain(s.sessionToken());
            }
        }
    }

    private static List<Thread> ourThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("irsa-")
                && !t.getName().startsWith("irsa-testkit")).toList();
    }

    /** Waits for a condition (the wait proves nothing; the assertions after it do). */
    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting: " + what).isLessThan(deadline);
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }
}
