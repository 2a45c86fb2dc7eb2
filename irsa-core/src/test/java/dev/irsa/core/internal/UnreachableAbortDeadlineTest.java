package dev.irsa.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * The attempt deadline holds even when its abort cannot reach the reader. The JDK's HttpURLConnection closes a
 * response stream only once it takes the stream's lock, which a reader blocked in a read holds; a reader that keeps
 * receiving a byte at a time takes it straight back, and on a loaded machine the abort waited past the deadline for
 * seconds (CI: a drip-fed Pod Identity answer outlived a 2 s bound on an 800 ms deadline). Here the abort reaches
 * nothing at all, which makes that starvation deterministic: only the reader's own check of the deadline ends it.
 */
class UnreachableAbortDeadlineTest {
    private static final Duration DEADLINE = Duration.ofMillis(300);

    /** A body of {@code size} bytes, one per {@code perByteMillis} and per read; closing it changes nothing. */
    private static InputStream drip(int size, long perByteMillis, AtomicInteger served) {
        return new InputStream() {
            @Override
            public int read() {
                if (served.get() >= size) {
                    return -1;
                }
                try {
                    Thread.sleep(perByteMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                served.incrementAndGet();
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) {
                    return 0;
                }
                int c = read(); // as a socket does: what has arrived, here one byte
                if (c < 0) {
                    return -1;
                }
                b[off] = (byte) c;
                return 1;
            }
        };
    }

    private static SdkHttpClient dripping(AtomicInteger served) {
        return new SdkHttpClient() {
            @Override
            public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
                return new ExecutableHttpRequest() {
                    @Override
                    public HttpExecuteResponse call() {
                        return HttpExecuteResponse.builder()
                                .response(SdkHttpResponse.builder().statusCode(200).build())
                                // 2,000 bytes at 10 ms: 20 s to the end
                                .responseBody(AbortableInputStream.create(drip(2_000, 10, served), () -> { }))
                                .build();
                    }

                    @Override
                    public void abort() {
                        // unreachable, as the JDK's close is while a reader holds the stream's lock
                    }
                };
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void aReaderThatKeepsReceivingBytesStopsAtTheDeadlineItself() {
        AtomicInteger served = new AtomicInteger();
        try (BoundedHttpClient client = new BoundedHttpClient(dripping(served), DEADLINE)) {
            SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST)
                    .uri(URI.create("http://127.0.0.1:1/")).build();
            long t0 = System.nanoTime();
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThatThrownBy(
                    () -> client.prepareRequest(HttpExecuteRequest.builder().request(request).build()).call())
                    .isInstanceOf(AttemptDeadline.Exceeded.class)
                    .satisfies(e -> assertThat(((AttemptDeadline.Exceeded) e).answering()).isTrue()));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(took).isGreaterThanOrEqualTo(DEADLINE.minusMillis(20)).isLessThan(Duration.ofSeconds(3));
            assertThat(served.get()).as("bytes read before the reader stopped").isLessThan(2_000);
        }
    }

    @Test
    void aGuardedStreamReadsThroughWhenTheDeadlineDoesNotPass() throws Exception {
        AtomicInteger served = new AtomicInteger();
        try (AttemptDeadline deadline = new AttemptDeadline(Duration.ofSeconds(30));
             AttemptDeadline.Armed armed = deadline.arm(() -> { })) {
            assertThat(armed.guard(drip(50, 0, served)).readAllBytes()).hasSize(50);
        }
    }

    @Test
    void aGuardedStreamRefusesEveryReadOnceTheDeadlinePassed() throws Exception {
        AtomicInteger served = new AtomicInteger();
        try (AttemptDeadline deadline = new AttemptDeadline(Duration.ofMillis(1));
             AttemptDeadline.Armed armed = deadline.arm(() -> { })) {
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                while (!armed.expired()) {
                    Thread.onSpinWait();
                }
            });
            armed.answering(); // the status line came: a body is being read
            InputStream in = armed.guard(drip(50, 0, served));
            assertThatThrownBy(in::read).isInstanceOf(AttemptDeadline.Exceeded.class)
                    .hasMessageContaining("1 ms").hasMessageContaining("still arriving");
            assertThatThrownBy(() -> in.read(new byte[8], 0, 8)).isInstanceOf(AttemptDeadline.Exceeded.class);
            assertThatThrownBy(() -> in.skip(8)).isInstanceOf(AttemptDeadline.Exceeded.class);
            assertThat(served.get()).isZero();
        }
    }
    /**
     * A worker stuck past its deadline (in a read no abort ends) does not hold the caller, and does not pile up: past
     * {@link AttemptDeadline#MAX_RUNNING} stuck attempts, a new one is refused at once. Once they end, attempts run
     * again; close leaves no thread behind.
     */
    @Test
    void theCallerNeverWaitsForAStuckAttemptAndStuckAttemptsAreCapped() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger aborts = new AtomicInteger();
        AttemptDeadline.Attempt<String> stuck = armed -> {
            while (release.getCount() > 0) { // as a read blocked in the JDK: deaf to interrupts and aborts
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            return "late";
        };
        try (AttemptDeadline deadline = new AttemptDeadline(Duration.ofMillis(100))) {
            for (int i = 0; i < AttemptDeadline.MAX_RUNNING; i++) {
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> deadline.run(stuck, aborts::incrementAndGet))
                        .isInstanceOf(AttemptDeadline.Exceeded.class);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the caller's wait")
                        .isGreaterThanOrEqualTo(Duration.ofMillis(100)).isLessThan(Duration.ofSeconds(3));
            }
            assertThat(aborts.get()).as("each stuck attempt was aborted").isEqualTo(AttemptDeadline.MAX_RUNNING);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> deadline.run(a -> "never", () -> { }))
                    .isInstanceOf(AttemptDeadline.Exceeded.class).hasMessageContaining("100 ms")
                    .satisfies(e -> assertThat(((AttemptDeadline.Exceeded) e).outcome())
                            .contains(AttemptDeadline.MAX_RUNNING + " earlier attempts are still running past theirs"));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("refused at once").isLessThan(Duration.ofSeconds(1));

            release.countDown();
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String answer = null;
            while (answer == null && System.nanoTime() < until) {
                try {
                    answer = deadline.run(a -> "ok", () -> { });
                } catch (java.io.IOException refused) {
                    Thread.sleep(10); // the stuck workers are still finishing
                }
            }
            assertThat(answer).isEqualTo("ok");
        }
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (attemptThreads() > 0 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(attemptThreads()).as("irsa-attempt threads after close").isZero();
    }

    @Test
    void whatTheAttemptThrowsReachesTheCallerAsItWas() {
        try (AttemptDeadline deadline = new AttemptDeadline(Duration.ofSeconds(30))) {
            java.io.IOException io = new java.io.IOException("connection refused");
            assertThatThrownBy(() -> deadline.run(a -> {
                throw io;
            }, () -> { })).isSameAs(io);
            IllegalStateException runtime = new IllegalStateException("bad answer");
            assertThatThrownBy(() -> deadline.run(a -> {
                throw runtime;
            }, () -> { })).isSameAs(runtime);
        }
    }

    @Test
    void aClosedDeadlineRefusesNewAttemptsInsteadOfRunningThemUnbounded() {
        AttemptDeadline deadline = new AttemptDeadline(Duration.ofMillis(300));
        deadline.close();
        AtomicInteger ran = new AtomicInteger();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> deadline.run(a -> ran.incrementAndGet(), () -> { }))
                .isInstanceOf(dev.irsa.core.IrsaException.class).hasMessageContaining("closed")
                .satisfies(e -> assertThat(((dev.irsa.core.IrsaException) e).kind())
                        .isEqualTo(dev.irsa.core.IrsaException.Kind.CLOSED));
        assertThat(ran.get()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
    }

    /** Closed wins over "earlier attempts stuck": a session going away is not retried as if STS were slow. */
    @Test
    void aClosedDeadlineWithStuckAttemptsSaysClosed() {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AttemptDeadline deadline = new AttemptDeadline(Duration.ofMillis(50));
        try {
            for (int i = 0; i < AttemptDeadline.MAX_RUNNING; i++) {
                assertThatThrownBy(() -> deadline.run(a -> {
                    while (release.getCount() > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    }
                    return "late";
                }, () -> { })).isInstanceOf(AttemptDeadline.Exceeded.class);
            }
            deadline.close();
            assertThatThrownBy(() -> deadline.run(a -> "never", () -> { }))
                    .isInstanceOf(dev.irsa.core.IrsaException.class)
                    .satisfies(e -> assertThat(((dev.irsa.core.IrsaException) e).kind())
                            .isEqualTo(dev.irsa.core.IrsaException.Kind.CLOSED));
        } finally {
            release.countDown();
            deadline.close();
        }
    }

    /**
     * Close cuts an attempt in flight: its abort runs (ending the read, as closing a socket does), its caller learns the
     * session closed, and no thread stays.
     */
    @Test
    void closeAbortsAnAttemptInFlightAndLeavesNoThread() throws Exception {
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch aborted = new java.util.concurrent.CountDownLatch(1);
        AttemptDeadline deadline = new AttemptDeadline(Duration.ofSeconds(30));
        java.util.concurrent.CompletableFuture<Throwable> caller = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    try {
                        deadline.run(a -> {
                            started.countDown();
                            while (aborted.getCount() > 0) { // a read only the abort ends
                                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                            }
                            throw new java.net.SocketException("Socket closed");
                        }, aborted::countDown);
                        return null;
                    } catch (Throwable t) {
                        return t;
                    }
                });
        assertThat(started.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        deadline.close();
        assertThat(aborted.await(5, java.util.concurrent.TimeUnit.SECONDS)).as("the abort ran at close").isTrue();
        assertThat(caller.get(5, java.util.concurrent.TimeUnit.SECONDS)).as("the caller learns the session closed")
                .isInstanceOf(dev.irsa.core.IrsaException.class)
                .satisfies(e -> assertThat(((dev.irsa.core.IrsaException) e).kind())
                        .isEqualTo(dev.irsa.core.IrsaException.Kind.CLOSED));
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (attemptThreads() > 0 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertThat(attemptThreads()).as("irsa-attempt threads after close").isZero();
    }

    /** An abort that blocks (as a JDK close waiting for a reader's lock does) holds up no other attempt's abort. */
    @Test
    void aBlockedAbortDoesNotHoldUpTheNextAttemptsAbort() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch secondAborted = new java.util.concurrent.CountDownLatch(1);
        AttemptDeadline.Attempt<String> stuck = armed -> {
            while (release.getCount() > 0 && !(armed.expired() && secondAborted.getCount() == 0)) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            return "late";
        };
        try (AttemptDeadline deadline = new AttemptDeadline(Duration.ofMillis(100))) {
            assertThatThrownBy(() -> deadline.run(stuck, () -> {
                try {
                    release.await(); // blocks until the end of the test
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            })).isInstanceOf(AttemptDeadline.Exceeded.class);
            assertThatThrownBy(() -> deadline.run(stuck, secondAborted::countDown))
                    .isInstanceOf(AttemptDeadline.Exceeded.class);
            assertThat(secondAborted.await(5, java.util.concurrent.TimeUnit.SECONDS))
                    .as("the second attempt's abort ran while the first's was blocked").isTrue();
        } finally {
            release.countDown();
        }
    }

    private static long attemptThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("irsa-attempt")).count();
    }
}

