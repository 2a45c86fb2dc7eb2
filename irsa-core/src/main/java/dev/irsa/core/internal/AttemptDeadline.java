package dev.irsa.core.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A deadline over one whole HTTP attempt (connect, headers and body), which the per-read timeout is not: a middlebox
 * that passes the answer on a byte at a time never trips a read timeout, and would hold the session's single
 * refresh for as long as it liked.
 *
 * <p>{@link #run} makes the deadline hard for the caller: the attempt runs on a worker thread and the caller waits for
 * it at most the deadline and a short grace, then fails with {@link Exceeded} whatever the worker is blocked in. No
 * abort of a blocked read can promise that: the JDK's HttpURLConnection closes a response stream only once it takes
 * the stream's lock, which a reader blocked in a read holds, and one read can last without limit (a chunked body's
 * trailers fed a line at a time, a TLS record fed a byte at a time, each byte inside the read timeout). On a loaded
 * machine the abort waited seconds past the deadline even for a plain drip-fed body. When the deadline passes the
 * attempt's abort action still runs, on the timer thread, and a body read through {@link Armed#guard(InputStream)}
 * refuses its next read, so the worker ends as soon as its connection lets it. At most {@link #MAX_RUNNING} attempts
 * run at once: more means earlier ones are stuck past their deadline, and a new attempt fails at once rather than
 * leave another thread behind.
 *
 * <p>Threads are named daemon threads ({@code irsa-attempt-deadline}, {@code irsa-attempt}), started on demand and
 * ended after a second without attempts (so an idle session holds none), and for good by {@link #close()}.
 * Thread-safe.
 */
final class AttemptDeadline implements AutoCloseable {
    /** Attempts running at once, stuck ones included; one is the norm (a session refreshes once at a time). */
    static final int MAX_RUNNING = 4;
    /** How long past the deadline the caller waits for the worker's own, more precise, account of the cut. */
    static final Duration GRACE = Duration.ofMillis(250);
    private final Duration limit;
    private final ScheduledThreadPoolExecutor timer;
    private final ThreadPoolExecutor workers;

    AttemptDeadline(Duration limit) {
        this.limit = limit;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "irsa-attempt-deadline");
            t.setDaemon(true);
            return t;
        });
        timer.setKeepAliveTime(1, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        timer.setRemoveOnCancelPolicy(true);
        this.workers = new ThreadPoolExecutor(0, MAX_RUNNING, 1, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "irsa-attempt");
            t.setDaemon(true);
            return t;
        });
    }

    Duration limit() {
        return limit;
    }

    /**
     * Starts the clock on one attempt.
     *
     * @param abort what ends the attempt when the deadline passes (run on the timer thread)
     * @return the armed deadline, to be closed when the attempt ends
     */
    Armed arm(Runnable abort) {
        Armed armed = new Armed(limit, abort);
        try {
            armed.future = timer.schedule(armed::expire, limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed: the attempt runs without a deadline (its session is going away)
        }
        return armed;
    }

    /** One attempt: what it does, given its armed deadline (to guard its body and mark that the answer began). */
    @FunctionalInterface
    interface Attempt<T> {
        T run(Armed armed) throws IOException;
    }

    /**
     * Runs one attempt under the deadline, on a worker thread, and waits for it at most the deadline and
     * {@link #GRACE}.
     *
     * @param attempt the attempt
     * @param abort what ends the attempt when the deadline passes (run on the timer thread; may block it)
     * @return what the attempt returned
     * @throws Exceeded when the deadline passed first
     * @throws IOException what the attempt threw, or when {@link #MAX_RUNNING} earlier attempts are still stuck
     */
    <T> T run(Attempt<T> attempt, Runnable abort) throws IOException {
        Armed armed = arm(abort);
        Future<T> result;
        try {
            result = workers.submit(() -> {
                try (armed) {
                    return attempt.run(armed);
                }
            });
        } catch (RejectedExecutionException e) {
            if (workers.isShutdown()) {
                try (armed) {
                    return attempt.run(armed); // closed: its session is going away
                }
            }
            armed.close();
            throw new IOException(MAX_RUNNING + " earlier attempts are still running past their deadline of "
                    + millis(limit) + " (aborted, their connections neither answered nor closed), so no other is"
                    + " started until one ends");
        }
        try {
            return result.get(limit.toNanos() + GRACE.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            expireLate(armed);
            throw new Exceeded(limit, armed.hasAnswer());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        } catch (InterruptedException e) {
            expireLate(armed);
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the answer");
        }
    }

    /** The caller stops waiting: the worker must stop too, and its abort must run, but not on the caller's thread. */
    private void expireLate(Armed armed) {
        armed.expired.set(true); // the guarded body refuses its next read at once
        try {
            timer.execute(armed::expire);
        } catch (RejectedExecutionException closed) {
            // closed: the worker ends with its connection
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        workers.shutdownNow();
    }

    /** One attempt's deadline. */
    static final class Armed implements AutoCloseable {
        private final AtomicBoolean expired = new AtomicBoolean();
        private final AtomicBoolean aborted = new AtomicBoolean();
        private final Duration limit;
        private final Runnable abort;
        private volatile boolean answering;
        private volatile ScheduledFuture<?> future;

        private Armed(Duration limit, Runnable abort) {
            this.limit = limit;
            this.abort = abort;
        }

        /** The deadline passed: flags it, then aborts the attempt, once. */
        private void expire() {
            expired.set(true);
            if (aborted.compareAndSet(false, true)) {
                abort.run();
            }
        }

        /** {@return whether the deadline passed (and the attempt was aborted)} */
        boolean expired() {
            return expired.get();
        }

        /** The status line and headers have arrived: a cut from now on is a slow body, not a missing answer. */
        void answering() {
            answering = true;
        }

        /** {@return whether the answer had begun} */
        boolean hasAnswer() {
            return answering;
        }

        /**
         * The response body as this attempt reads it: each read, before and after, throws {@link Exceeded} once the
         * deadline has passed, so the attempt ends within one read of its deadline whether or not the abort got
         * through. Closing it closes the body.
         *
         * @param body the response body
         * @return the guarded body
         */
        InputStream guard(InputStream body) {
            return new FilterInputStream(body) {
                @Override
                public int read() throws IOException {
                    check();
                    int b = super.read();
                    check();
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    check();
                    int n = super.read(buf, off, len);
                    check();
                    return n;
                }

                @Override
                public long skip(long n) throws IOException {
                    check();
                    long skipped = super.skip(n);
                    check();
                    return skipped;
                }
            };
        }

        private void check() throws Exceeded {
            if (expired()) {
                throw new Exceeded(limit, true);
            }
        }

        @Override
        public void close() {
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    /** The attempt was aborted at its deadline. Holds no response content. */
    static final class Exceeded extends IOException {
        private static final long serialVersionUID = 1L;
        private final Duration limit;
        private final boolean answering;

        /**
         * @param answering whether the response had begun (status and headers received) when the deadline passed
         */
        Exceeded(Duration limit, boolean answering) {
            super("no complete answer within the attempt deadline of " + millis(limit)
                    + (answering ? " (the response had begun but was still arriving)" : " (no response yet)"));
            this.limit = limit;
            this.answering = answering;
        }

        Duration limit() {
            return limit;
        }

        boolean answering() {
            return answering;
        }
    }

    static String millis(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
