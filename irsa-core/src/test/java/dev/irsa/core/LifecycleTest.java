package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.ManualClock;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LifecycleTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private static IrsaConfig.Builder config(IrsaEnvironment env) {
        return IrsaConfig.builder().roleArn(env.roleArn()).tokenFile(env.tokenFile()).region(env.region())
                .stsEndpoint(env.stsEndpoint());
    }

    private static List<Thread> ourThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("irsa-")
                && !t.getName().startsWith("irsa-testkit")).toList();
    }

    private static void awaitNoThreadsOfOurs() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!ourThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void closeReleasesEveryThreadWeStarted(IrsaEnvironment env) throws Exception {
        awaitNoThreadsOfOurs();
        assertThat(ourThreads()).isEmpty();
        try (IrsaSession s = IrsaSession.create(config(env).build())) {
            s.credentials();
            assertThat(ourThreads()).isNotEmpty().allSatisfy(t -> {
                assertThat(t.isDaemon()).as(t.getName() + " is a daemon").isTrue();
                assertThat(t.getName()).matches("irsa-(scheduler|refresh-\\d+|callback-\\d+|attempt-deadline|attempt|attempt-abort)");
            });
        }
        awaitNoThreadsOfOurs();
        assertThat(ourThreads()).isEmpty();
    }

    @Test
    void sharedSessionsMakeOneStsCallPerRoleAndAreReleasedByTheLastHolder(IrsaEnvironment env) throws Exception {
        IrsaConfig config = config(env).roleSessionName("shared").build();
        long before = SessionRegistry.global().size();
        IrsaSession a = IrsaSession.shared(config);
        IrsaSession b = IrsaSession.shared(config.toBuilder().build());
        IrsaSession scoped = IrsaSession.shared(config.toBuilder().sessionPolicy(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}").build());
        try {
            assertThat(IrsaSession.sameEngine(a, b)).isTrue();
            assertThat(IrsaSession.sameEngine(a, scoped)).isFalse();
            assertThat(a.credentials()).isSameAs(b.credentials());
            scoped.credentials();
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(2);
            assertThat(SessionRegistry.global().size()).isEqualTo(before + 2);
            a.close();
            assertThat(b.credentials()).isNotNull(); // b still holds the session
            assertThat(SessionRegistry.global().size()).isEqualTo(before + 2);
        } finally {
            a.close();
            b.close();
            scoped.close();
        }
        assertThat(SessionRegistry.global().size()).isEqualTo(before);
        assertThat(a.state().status()).isEqualTo(SessionState.Status.CLOSED);
        awaitNoThreadsOfOurs();
        assertThat(ourThreads()).isEmpty();
    }

    /** An emulator on the test's clock, so that credentials STS issues after the clock moves are valid by it. */
    private static IrsaEnvironment onClock(ManualClock clock) {
        return IrsaEnvironment.builder().clock(clock).tokenLifetime(Duration.ofHours(24)).start();
    }

    @Test
    void holdersOpenedAndClosedInTurnResumeTheLastCredentialsWithoutStsOrThreadsLeft() throws Exception {
        // A filesystem per job, closed after it (S3A FileSystem.newInstance, an Iceberg FileIO per query): each
        // is the only holder while it lives.
        ManualClock clock = new ManualClock(Instant.now());
        try (IrsaEnvironment env = onClock(clock)) {
            IrsaConfig config = config(env).roleSessionName("open-close").clock(clock).build();
            long sessions = SessionRegistry.global().size();
            IrsaCredentials first;
            try (LogCapture logs = new LogCapture()) {
                try (IrsaSession s = IrsaSession.shared(config)) {
                    first = s.credentials();
                }
                for (int i = 0; i < 5; i++) {
                    try (IrsaSession s = IrsaSession.shared(config.toBuilder().build())) {
                        assertThat(s.credentials()).as("cycle " + i).isEqualTo(first);
                    }
                    assertThat(SessionRegistry.global().size()).isEqualTo(sessions);
                }
                assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).as("one STS call for six holders in turn")
                        .isEqualTo(1);
                assertThat(logs.lines().stream().filter(l -> l.startsWith("INFO") && l.contains("uses STS endpoint")))
                        .as("one INFO line for the session, not one per holder").hasSize(1);
                assertThat(logs.all()).doesNotContain(first.secretAccessKey()).doesNotContain(first.sessionToken());
            }
            awaitNoThreadsOfOurs();
            assertThat(ourThreads()).as("kept credentials are data: no thread stays").isEmpty();

            clock.advance(Duration.ofHours(2)); // past their expiry: the next holder asks STS again
            try (IrsaSession s = IrsaSession.shared(config)) {
                assertThat(s.credentials()).isNotEqualTo(first);
            }
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(2);
        }
    }

    @Test
    void expiredKeptCredentialsAreDroppedWhenAnotherSessionCloses() {
        ManualClock clock = new ManualClock(Instant.now());
        try (IrsaEnvironment env = onClock(clock)) {
            int kept = SessionRegistry.global().resumableSize();
            try (IrsaSession s = IrsaSession.shared(config(env).roleSessionName("kept-a").clock(clock).build())) {
                s.credentials();
            }
            assertThat(SessionRegistry.global().resumableSize()).isEqualTo(kept + 1);
            clock.advance(Duration.ofHours(2));
            try (IrsaSession s = IrsaSession.shared(config(env).roleSessionName("kept-b").clock(clock).build())) {
                s.credentials();
            }
            assertThat(SessionRegistry.global().resumableSize()).as("kept-a's expired set dropped, kept-b's kept")
                    .isEqualTo(kept + 1);
        }
    }

    @Test
    void callersThatWaitedAreCompletedOffOurRefreshThreads(IrsaEnvironment env) throws Exception {
        env.sts().faults().latency(Duration.ofMillis(200));
        try (IrsaSession s = IrsaSession.create(config(env).build())) {
            List<java.util.concurrent.CompletableFuture<String>> continuations = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                java.util.concurrent.CompletableFuture<IrsaCredentials> waiting = s.credentialsAsync();
                assertThat(waiting).as("STS takes 200 ms: the caller really waits").isNotDone();
                continuations.add(waiting.thenApply(c -> Thread.currentThread().getName()));
            }
            for (var c : continuations) {
                assertThat(c.get(10, java.util.concurrent.TimeUnit.SECONDS)).as("where a waiting caller's continuation ran")
                        .doesNotStartWith("irsa-refresh").doesNotStartWith("irsa-scheduler");
            }
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
        } finally {
            env.sts().faults().clear();
        }
    }

    @Test
    void aListenerAddedByTwoAlikeHoldersHearsEachRefreshOnce(IrsaEnvironment env) {
        List<RefreshListener.Succeeded> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        RefreshListener metrics = new RefreshListener() {
            @Override
            public void onRefreshSucceeded(Succeeded e) {
                heard.add(e);
            }
        };
        IrsaConfig config = config(env).roleSessionName("one-listener").addListener(metrics).build();
        try (IrsaSession a = IrsaSession.shared(config); IrsaSession b = IrsaSession.shared(config.toBuilder().build())) {
            assertThat(IrsaSession.sameEngine(a, b)).isTrue();
            a.credentials();
            b.credentials();
            assertThat(heard).as("one refresh, heard once").hasSize(1);
            a.close();
            b.credentials();
            assertThat(heard).hasSize(1);
        }
    }

    @Test
    void holdersWithOtherTimeoutsGetTheirOwnSession(IrsaEnvironment env) {
        IrsaConfig relaxed = config(env).roleSessionName("timeouts").build();
        IrsaConfig tight = relaxed.toBuilder().timeouts(Duration.ofMillis(300), Duration.ofMillis(500)).build();
        try (IrsaSession a = IrsaSession.shared(relaxed); IrsaSession b = IrsaSession.shared(tight)) {
            assertThat(IrsaSession.sameEngine(a, b)).as("a tighter timeout is not silently replaced").isFalse();
            assertThat(b.config().readTimeout()).isEqualTo(Duration.ofMillis(500));
        }
    }

    @Test
    void eagerStartFailsAtBootWithTheReason(IrsaEnvironment env) {
        IrsaConfig config = config(env).roleArn("arn:aws:iam::111122223333:role/missing").eagerStart(true).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> IrsaSession.create(config))
                .isInstanceOf(IrsaException.class).hasMessageContaining("AccessDenied");
    }

    @Test
    void createReadsThePodEnvironmentThroughTheSettingsSource(IrsaEnvironment env) {
        IrsaConfig config = IrsaConfig.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment())).build();
        try (IrsaSession s = IrsaSession.create(config)) {
            assertThat(s.credentials().assumedRoleArn()).contains(":assumed-role/app-role/");
            SessionState st = s.state();
            assertThat(st.status()).isEqualTo(SessionState.Status.VALID);
            assertThat(st.subject()).isEqualTo("system:serviceaccount:default:app");
            assertThat(st.stsEndpoint()).isEqualTo(env.stsEndpoint());
            assertThat(st.toString()).doesNotContain(s.credentials().secretAccessKey());
            assertThat(s.toString()).contains("VALID");
        }
    }
}
