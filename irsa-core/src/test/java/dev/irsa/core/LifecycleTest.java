package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.time.Duration;
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
                assertThat(t.getName()).matches("irsa-(scheduler|refresh-\\d+|callback-\\d+)");
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
