package dev.irsa.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.IrsaCredentials;
import dev.irsa.core.RefreshPolicy;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The timer thread ({@code irsa-scheduler}) ends freshness: it must never run a caller's code, even when every
 * callback thread is busy, or a slow continuation would keep every session's credentials "fresh" past their refresh
 * point (the hot path reads no clock). On the real shared scheduler; the busy callback threads and the slow caller
 * are held by latches, so what runs where does not depend on timing.
 */
class SharedSchedulerCallbacksTest {
    private static final String ROLE = "arn:aws:iam::111122223333:role/app";
    private static final URI ENDPOINT = URI.create("http://127.0.0.1:1");

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aWaitersDeadlineRunsItsContinuationOffTheTimerThreadAndFreshnessStillEndsOnTime() throws Exception {
        SharedScheduler scheduler = SharedScheduler.acquire();
        CountDownLatch callbacksBusy = new CountDownLatch(16);
        CountDownLatch freeCallbacks = new CountDownLatch(1);
        CountDownLatch stsAnswers = new CountDownLatch(1);
        CountDownLatch callerDone = new CountDownLatch(1);
        RefreshEngine waiting = null;
        RefreshEngine shortLived = null;
        try {
            for (int i = 0; i < 16; i++) {
                scheduler.callbacks().execute(() -> {
                    callbacksBusy.countDown();
                    await(freeCallbacks);
                });
            }
            assertThat(callbacksBusy.await(10, TimeUnit.SECONDS)).as("16 callback threads busy").isTrue();

            // A session whose credentials live 2 s: its timer must end freshness and refresh within that.
            AtomicInteger shortLivedCalls = new AtomicInteger();
            // 2 s credentials must be refreshed sooner than the minimum refresh interval allows: turned off
            shortLived = new RefreshEngine(ROLE, ENDPOINT, RefreshPolicy.builder().jitter(0)
                    .minimumRefreshInterval(Duration.ZERO).build(), Clock.systemUTC(),
                    ThreadLocalRandom.current(), attempts -> {
                        int n = shortLivedCalls.incrementAndGet();
                        return new ExchangeResult(new IrsaCredentials("ASIASHORT" + n, "secret", "token",
                                Clock.systemUTC().instant().plus(Duration.ofSeconds(2)), null), null, 1);
                    }, scheduler, null);
            shortLived.credentials();

            // A caller waiting for an STS call that does not answer: its 100 ms deadline fires on the timer thread,
            // and its continuation (user code) blocks until released.
            waiting = new RefreshEngine(ROLE, ENDPOINT, RefreshPolicy.builder().waitTimeout(Duration.ofMillis(100)).build(),
                    Clock.systemUTC(), ThreadLocalRandom.current(), attempts -> {
                        await(stsAnswers);
                        throw new dev.irsa.core.IrsaException(dev.irsa.core.IrsaException.Kind.RETRYABLE, null, "late", null);
                    }, scheduler, null);
            AtomicReference<String> answeredOn = new AtomicReference<>();
            CountDownLatch answered = new CountDownLatch(1);
            CompletableFuture<IrsaCredentials> f = waiting.credentialsAsync();
            f.whenComplete((c, e) -> {
                answeredOn.set(Thread.currentThread().getName());
                answered.countDown();
                await(callerDone); // slow user code
            });

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (shortLivedCalls.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(answeredOn.get()).as("no caller's continuation ran on the timer thread")
                    .isNotEqualTo("irsa-scheduler");
            assertThat(shortLivedCalls.get()).as("the 2 s credentials were refreshed: the timer thread is free")
                    .isGreaterThanOrEqualTo(2);

            freeCallbacks.countDown();
            assertThat(answered.await(10, TimeUnit.SECONDS)).as("the waiter is answered, never dropped").isTrue();
            assertThat(answeredOn.get()).as("the caller's continuation ran on a callback thread")
                    .startsWith("irsa-callback").isNotEqualTo("irsa-scheduler");
            assertThat(f).isCompletedExceptionally();
        } finally {
            freeCallbacks.countDown();
            callerDone.countDown();
            stsAnswers.countDown();
            if (waiting != null) {
                waiting.close();
            }
            if (shortLived != null) {
                shortLived.close();
            }
            scheduler.release();
        }
    }

    /**
     * A continuation on a callback thread may wait for another of our answers (an SDK v2 sync client joins
     * {@code resolveIdentity}): with every callback thread doing so, an answer that queued behind them would never
     * run, and none of them would ever return. Answers must never wait for a busy callback thread.
     */
    @Test
    void anAnswerNeverQueuesBehindBusyCallbackThreadsThatWaitForIt() throws Exception {
        SharedScheduler scheduler = SharedScheduler.acquire();
        int callers = 20;
        CountDownLatch allAnswered = new CountDownLatch(callers);
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        CountDownLatch allInside = new CountDownLatch(16);
        try {
            for (int i = 0; i < callers; i++) {
                scheduler.callbacks().execute(() -> {
                    allInside.countDown();
                    await(allInside); // every callback thread busy before any inner answer is handed over
                    CompletableFuture<String> inner = new CompletableFuture<>();
                    scheduler.callbacks().execute(() -> inner.complete(Thread.currentThread().getName()));
                    try {
                        threads.add(inner.get(10, TimeUnit.SECONDS));
                        allAnswered.countDown();
                    } catch (Exception e) {
                        // not answered: counted below
                    }
                });
            }
            assertThat(allAnswered.await(15, TimeUnit.SECONDS))
                    .as("%d of %d continuations unanswered", allAnswered.getCount(), callers).isTrue();
            assertThat(threads).as("no answer ran on the timer thread").noneMatch(n -> n.equals("irsa-scheduler"))
                    .allMatch(n -> n.startsWith("irsa-callback"));
        } finally {
            scheduler.release();
        }
    }
}
