package dev.irsa.core.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A deadline over one whole HTTP attempt (connect, headers and body), which the per-read timeout is not: a middlebox
 * that passes the answer on a byte at a time never trips a read timeout, and would hold the session's single
 * refresh for as long as it liked. When the deadline passes, the attempt's abort action runs (closing the
 * connection, which ends a blocked read), and a body read through {@link Armed#guard(InputStream)} refuses its next
 * read. The abort alone is not enough: the JDK's HttpURLConnection closes a response stream only once it takes the
 * stream's lock, which a reader blocked in a read holds and, receiving a byte at a time, takes straight back (on a
 * loaded machine the abort waited seconds past the deadline). The timer is one named daemon thread, started on the
 * first attempt and ended after a second without attempts (so an idle session holds none), and for good by
 * {@link #close()}.
 * Thread-safe.
 */
final class AttemptDeadline implements AutoCloseable {
    private final Duration limit;
    private final ScheduledThreadPoolExecutor timer;

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
    }

    Duration limit() {
        return limit;
    }

    /**
     * Starts the clock on one attempt.
     *
     * @param abort what ends the attempt when the deadline passes (must not block)
     * @return the armed deadline, to be closed when the attempt ends
     */
    Armed arm(Runnable abort) {
        Armed armed = new Armed(limit);
        try {
            armed.future = timer.schedule(() -> {
                armed.expired.set(true);
                abort.run();
            }, limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed: the attempt runs without a deadline (its session is going away)
        }
        return armed;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** One attempt's deadline. */
    static final class Armed implements AutoCloseable {
        private final AtomicBoolean expired = new AtomicBoolean();
        private final Duration limit;
        private volatile ScheduledFuture<?> future;

        private Armed(Duration limit) {
            this.limit = limit;
        }

        /** {@return whether the deadline passed (and the attempt was aborted)} */
        boolean expired() {
            return expired.get();
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
