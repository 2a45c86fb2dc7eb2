package dev.irsa.core.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A deadline over one whole HTTP attempt (connect, headers and body), which the per-read timeout is not: a middlebox
 * that passes the answer on a byte at a time never trips a read timeout, and would hold the session's single
 * refresh for as long as it liked. When the deadline passes, the attempt's abort action runs (closing the
 * connection, which ends a blocked read). The timer is one named daemon thread, started on the first attempt and
 * ended after a second without attempts (so an idle session holds none), and for good by {@link #close()}.
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
        Armed armed = new Armed();
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
        private volatile ScheduledFuture<?> future;

        /** {@return whether the deadline passed (and the attempt was aborted)} */
        boolean expired() {
            return expired.get();
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
