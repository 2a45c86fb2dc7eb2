package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 64 threads hammer one session across several refreshes on the real shared scheduler, against the emulator
 * with 6-second credentials (STS truncates expiry to the second, so 5–6 s) and 200 ms of STS latency: every
 * background refresh completes before the mandatory window, so no caller should ever wait on STS.
 */
class ConcurrencyTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.with(b -> b.credentialLifetime(Duration.ofSeconds(6)));

    @Test
    void oneStsCallPerRefreshAndNoCallerWaitsOnSts(IrsaEnvironment env) throws Exception {
        env.sts().faults().latency(Duration.ofMillis(200));
        AtomicInteger refreshes = new AtomicInteger();
        AtomicInteger refreshFailures = new AtomicInteger();
        IrsaConfig config = IrsaConfig.builder().roleArn(env.roleArn()).tokenFile(env.tokenFile()).region(env.region())
                .stsEndpoint(env.stsEndpoint())
                .addListener(new RefreshListener() {
                    @Override
                    public void onRefreshSucceeded(Succeeded e) {
                        refreshes.incrementAndGet();
                    }

                    @Override
                    public void onRefreshFailed(Failed e) {
                        refreshFailures.incrementAndGet();
                    }
                }).build();
        try (IrsaSession session = IrsaSession.create(config)) {
            session.credentials(); // the cold start is the one wait a caller may have
            int threads = 64;
            long runNanos = Duration.ofSeconds(20).toNanos();
            CountDownLatch start = new CountDownLatch(1);
            AtomicLong maxNanos = new AtomicLong();
            AtomicLong callsMade = new AtomicLong();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            List<Thread> workers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                        long end = System.nanoTime() + runNanos;
                        long local = 0;
                        long n = 0;
                        while (System.nanoTime() < end) {
                            long wall = System.currentTimeMillis();
                            long t0 = System.nanoTime();
                            IrsaCredentials c = session.credentials();
                            long took = System.nanoTime() - t0;
                            local = Math.max(local, took);
                            if (c.expiration().toEpochMilli() <= wall) {
                                errors.add(new AssertionError("expired credentials handed out"));
                            }
                            n++;
                            java.util.concurrent.locks.LockSupport.parkNanos(50_000); // the request's own work
                        }
                        callsMade.addAndGet(n);
                        maxNanos.accumulateAndGet(local, Math::max);
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                t.start();
                workers.add(t);
            }
            start.countDown();
            for (Thread t : workers) {
                t.join();
            }
            assertThat(errors).isEmpty();
            assertThat(refreshFailures.get()).isZero();
            long stsCalls = env.sts().calls().count("AssumeRoleWithWebIdentity");
            assertThat(refreshes.get()).as("several refresh boundaries crossed").isGreaterThanOrEqualTo(3);
            assertThat(stsCalls).as("exactly one STS call per refresh").isEqualTo(refreshes.get());
            // The emulator holds every STS answer for 200 ms: a caller that took less never waited on STS. (What the
            // slowest call does take is the scheduling of 64 runnable threads on this machine's cores.)
            assertThat(Duration.ofNanos(maxNanos.get())).as("slowest of " + callsMade.get() + " calls")
                    .isLessThan(Duration.ofMillis(200));
        }
    }
}
