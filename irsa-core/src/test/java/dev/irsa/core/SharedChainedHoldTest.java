package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.testkit.Fault;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.ManualClock;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The hidden hold a shared chained session keeps on its source session (issue 20 review #2, #3, #4): it belongs to
 * the chained session's engine once that exists, carries no holder's listeners, and is never taken from a closed
 * handle.
 */
class SharedChainedHoldTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    @BeforeEach
    @AfterEach
    void isolate() {
        TestIsolation.reset();
    }

    private static String targetRole(IrsaEnvironment env, String name) {
        return env.sts().createRole("444455556666", name, """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                 "Principal":{"AWS":"%s"},"Action":"sts:AssumeRole"}]}""".formatted(env.roleArn()), Duration.ofHours(1));
    }

    private static IrsaConfig.Builder config(IrsaEnvironment env) {
        return IrsaConfig.builder().roleArn(env.roleArn()).tokenFile(env.tokenFile()).region(env.region())
                .stsEndpoint(env.stsEndpoint()).roleSessionName("hold");
    }

    private static void assertClosed(Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(IrsaException.class,
                e -> assertThat(e.kind()).isEqualTo(IrsaException.Kind.CLOSED));
    }

    /**
     * #2: T1 (eager) makes the chained session and its eager start is under way; T2 (not eager: eager start is not in
     * the key) joins it; T1's AssumeRole fails. T1's hold on the source session belongs to the chained engine, which
     * T2 still holds: the failed start must not close it.
     */
    @Test
    void aFailedEagerStartLeavesTheSourceHoldOfAChainedSessionAnotherHolderJoined(IrsaEnvironment env)
            throws Exception {
        ManualClock clock = ManualClock.now(); // in the key: both holders use it
        ChainedRoleConfig target = ChainedRoleConfig.builder(targetRole(env, "eager-target"))
                .refreshPolicy(RefreshPolicy.builder().maxAttempts(1).backgroundRefresh(false).build()).build();
        CountDownLatch sourceRefreshing = new CountDownLatch(1);
        CountDownLatch joined = new CountDownLatch(1);
        AtomicBoolean gated = new AtomicBoolean();
        RefreshListener gate = new RefreshListener() {
            @Override
            public void onRefreshStarted(Started event) {
                if (gated.compareAndSet(false, true)) { // the source's first refresh, asked for by T1's eager start
                    sourceRefreshing.countDown();
                    try {
                        joined.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        try (IrsaSession t1Base = IrsaSession.shared(config(env).clock(clock).eagerStart(true).build())) {
            // Taken out of the registry, so the next hold of the key opens a source session that has fetched nothing:
            // T1's eager chained start then waits for that session's first refresh, which the gate holds
            SessionRegistry.global().reset();
            try (IrsaSession t2Base = IrsaSession.shared(config(env).clock(clock).addListener(gate).build())) {
                env.sts().faults().onlyFor("AssumeRole").failAlways(Fault.SERVICE_UNAVAILABLE);
                CompletableFuture<IrsaSession> t1 = new CompletableFuture<>();
                Thread thread = new Thread(() -> {
                    try {
                        t1.complete(t1Base.assumeRole(target));
                    } catch (Throwable e) {
                        t1.completeExceptionally(e);
                    }
                }, "t1-eager-chain");
                thread.setDaemon(true);
                thread.start();
                assertThat(sourceRefreshing.await(10, TimeUnit.SECONDS)).as("T1's eager start under way").isTrue();
                IrsaSession t2 = t2Base.assumeRole(target); // joins T1's chained session
                try {
                    joined.countDown();
                    thread.join(TimeUnit.SECONDS.toMillis(20));
                    assertThat(t1).as("T1's eager start failed").isCompletedExceptionally();
                    env.sts().faults().clear();
                    clock.advance(Duration.ofMinutes(1)); // past the chained session's backoff
                    assertThat(t2.credentials().accessKeyId()).as("T2's chained session still signs with a live"
                            + " hold on the source session").startsWith("ASIA");
                    assertThat(env.sts().calls().count("AssumeRole", "Success")).isEqualTo(1);
                } finally {
                    t2.close();
                }
            }
        }
    }

    /** #3: the hidden hold adds no listener, so a closed holder's listeners stop hearing the source session. */
    @Test
    void aClosedHandlesListenersDoNotHearTheSourceSessionItsChainedSessionKeeps(IrsaEnvironment env) {
        ChainedRoleConfig target = ChainedRoleConfig.builder(targetRole(env, "listened-target")).build();
        List<String> heard = new CopyOnWriteArrayList<>();
        RefreshListener listener = new RefreshListener() {
            @Override
            public void onRefreshStarted(Started event) {
                heard.add("started " + event.roleArn());
            }

            @Override
            public void onRefreshSucceeded(Succeeded event) {
                heard.add("succeeded");
            }
        };
        IrsaSession chained;
        try (IrsaSession base = IrsaSession.shared(config(env).addListener(listener).build())) {
            chained = base.assumeRole(target); // nothing fetched yet
        }
        try {
            assertThat(chained.credentials().accessKeyId()).startsWith("ASIA"); // the source session refreshes first
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
            assertThat(heard).as("the listener of a closed handle").isEmpty();
        } finally {
            chained.close();
        }
    }

    /**
     * #4: a closed shared chained handle cannot chain again: that would bring its chained session back from a record
     * whose source hold is closed, and later holds chaining the same role from a live session would join it.
     */
    @Test
    void aClosedSharedChainedHandleLeavesNoDeadChainedSessionForLaterHolders(IrsaEnvironment env) {
        ChainedRoleConfig a = ChainedRoleConfig.builder(targetRole(env, "closed-a")).build();
        ChainedRoleConfig b = ChainedRoleConfig.builder(targetRole(env, "closed-b")).build();
        try (IrsaSession base = IrsaSession.shared(config(env).build())) {
            IrsaSession chainedA = base.assumeRole(a);
            chainedA.credentials();
            chainedA.close(); // its last holder: the chained session and its source hold are closed
            SessionRegistry.global().forgetKept(); // so a chained session of A has to sign with its source again
            IrsaSession fromClosed = null;
            try {
                fromClosed = chainedA.assumeRole(b);
            } catch (IrsaException e) {
                assertThat(e.kind()).isEqualTo(IrsaException.Kind.CLOSED);
            }
            try (IrsaSession again = base.assumeRole(a)) {
                assertThat(again.credentials().accessKeyId()).as("chaining A from a live session").startsWith("ASIA");
            } finally {
                if (fromClosed != null) {
                    fromClosed.close();
                }
            }
            assertThat(fromClosed).as("chained from a closed handle").isNull();
        }
    }

    /** #4: one behaviour for every closed handle, shared or of its own, IRSA or chained. */
    @Test
    void assumeRoleOnAnyClosedHandleFailsAsClosed(IrsaEnvironment env) {
        ChainedRoleConfig target = ChainedRoleConfig.builder(targetRole(env, "from-closed")).build();
        long before = SessionRegistry.global().size();
        IrsaSession shared = IrsaSession.shared(config(env).build());
        IrsaSession sharedChained = shared.assumeRole(target);
        IrsaSession own = IrsaSession.create(config(env).build());
        IrsaSession ownChained = own.assumeRole(target);
        for (IrsaSession s : List.of(sharedChained, shared, ownChained, own)) {
            s.close();
            assertClosed(() -> s.assumeRole(target));
        }
        assertThat(SessionRegistry.global().size()).as("nothing re-acquired").isEqualTo(before);
        assertThat(env.sts().calls().all()).as("no STS call").isEmpty();
    }
}
