package dev.irsa.core.internal;

import dev.irsa.core.IrsaException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
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
 * attempt's abort action still runs, on a short-lived thread of its own (it may block), and a body read through
 * {@link Armed#guard(InputStream)} refuses its next read, so the worker ends as soon as its connection lets it. At
 * most {@link #MAX_RUNNING} attempts run at once: more means earlier ones are stuck past their deadline, and a new
 * attempt fails at once rather than leave another thread behind. {@link #close()} cuts the attempts still running
 * the same way, and refuses new ones ({@code CLOSED}).
 *
 * <p>Threads are named daemon threads ({@code irsa-attempt-deadline}, {@code irsa-attempt},
 * {@code irsa-attempt-abort}), started on demand; the first two end after a second without attempts (so an idle
 * session holds none) and for good by {@link #close()}, an abort thread when its abort returns. Thread-safe.
 */
final class AttemptDeadline implements AutoCloseable {
    /** Attempts running at once, stuck ones included; one is the norm (a session refreshes once at a time). */
    static final int MAX_RUNNING = 4;
    /** How long past the deadline the caller waits for the worker's own, more precise, account of the cut. */
    static final Duration GRACE = Duration.ofMillis(250);
    private final Duration limit;
    private final ScheduledThreadPoolExecutor timer;
    private final ThreadPoolExecutor workers;
    /** Taken before an attempt is handed to a worker, given back when the worker is done with it. */
    private final Semaphore running = new Semaphore(MAX_RUNNING);
    /** Attempts armed and not yet ended: {@link #close()} cuts them. */
    private final Set<Armed> live = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    AttemptDeadline(Duration limit) {
        this.limit = limit;
        this.timer = new ScheduledThreadPoolExecutor(1, daemon("irsa-attempt-deadline"));
        timer.setKeepAliveTime(1, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        timer.setRemoveOnCancelPolicy(true);
        // Room beyond the permits: a worker that has handed back its permit may not be idle yet.
        this.workers = new ThreadPoolExecutor(0, 2 * MAX_RUNNING, 1, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemon("irsa-attempt"));
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    Duration limit() {
        return limit;
    }

    /**
     * Starts the clock on one attempt.
     *
     * @param abort what ends the attempt when the deadline passes (run on a thread of its own: it may block)
     * @return the armed deadline, to be closed when the attempt ends
     * @throws IrsaException ({@code CLOSED}) when this deadline is closed: its session is going away
     */
    Armed arm(Runnable abort) {
        Armed armed = new Armed(this, abort);
        live.add(armed);
        if (closed) {
            armed.close();
            throw closedError();
        }
        try {
            armed.future = timer.schedule(armed::expire, limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            armed.close(); // closed meanwhile
            throw closedError();
        } catch (RuntimeException | Error e) { // no timer thread to be had
            armed.close();
            throw e;
        }
        return armed;
    }

    private static IrsaException closedError() {
        return new IrsaException(IrsaException.Kind.CLOSED, null, "The session is closed: no call to STS or the Pod"
                + " Identity agent is started for it", null);
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
     * @param abort what ends the attempt when the deadline passes (on a thread of its own: it may block)
     * @return what the attempt returned
     * @throws Exceeded when the deadline passed first, or when {@link #MAX_RUNNING} earlier attempts are still
     *         running past theirs (then this one is not started)
     * @throws IOException what the attempt threw
     * @throws IrsaException ({@code CLOSED}) when this deadline is closed
     */
    <T> T run(Attempt<T> attempt, Runnable abort) throws IOException {
        if (closed) {
            throw closedError();
        }
        if (!running.tryAcquire()) {
            throw Exceeded.stuckEarlier(limit);
        }
        Armed armed;
        Future<T> result;
        boolean handedOver = false;
        try {
            armed = arm(abort);
            try {
                result = workers.submit(() -> {
                    try (armed) {
                        if (armed.expired()) { // cut (closed) before it began: nothing is sent
                            throw cut(armed);
                        }
                        return attempt.run(armed);
                    } finally {
                        running.release();
                    }
                });
                handedOver = true; // the worker hands the permit back
            } catch (RejectedExecutionException e) {
                armed.close();
                if (closed || workers.isShutdown()) {
                    throw closedError();
                }
                // every worker thread busy: permits handed back by workers that are not idle yet
                throw Exceeded.stuckEarlier(limit);
            } catch (RuntimeException | Error e) { // no thread to be had
                armed.close();
                throw e;
            }
        } finally {
            if (!handedOver) {
                running.release();
            }
        }
        try {
            T answer = result.get(limit.toNanos() + GRACE.toNanos(), TimeUnit.NANOSECONDS);
            if (armed.expired()) { // aborted meanwhile: what was read may be cut short
                throw cut(armed);
            }
            return answer;
        } catch (TimeoutException e) {
            armed.expire(); // the caller stops waiting: the worker stops at its next read, the abort runs
            throw cut(armed);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (armed.expired() && (cause instanceof IOException || cause instanceof RuntimeException)) {
                throw cut(armed); // what the abort made of the connection (closed socket, stream closed...)
            }
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
            armed.expire();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the answer");
        }
    }

    /** Why an attempt was cut: its deadline, or its session closing. Decided here once, for every kind of attempt. */
    private IOException cut(Armed armed) {
        if (closed) {
            throw closedError();
        }
        return armed.exceeded();
    }

    /** Cuts every attempt still running (each is aborted, its worker stops at its next read) and ends the threads. */
    @Override
    public void close() {
        closed = true;
        for (Armed armed : live) {
            armed.expire();
        }
        timer.shutdownNow();
        workers.shutdownNow();
    }

    /** One attempt's deadline. */
    static final class Armed implements AutoCloseable {
        private final AtomicBoolean expired = new AtomicBoolean();
        private final AtomicBoolean aborted = new AtomicBoolean();
        private final AttemptDeadline owner;
        private final Duration limit;
        private final Runnable abort;
        private volatile boolean answering;
        private volatile ScheduledFuture<?> future;

        private Armed(AttemptDeadline owner, Runnable abort) {
            this.owner = owner;
            this.limit = owner.limit;
            this.abort = abort;
        }

        /**
         * The deadline passed (or the caller stopped waiting, or the session closed): flags it, so a guarded body
         * refuses its next read, then aborts the attempt once, on a thread of its own. Never blocks: closing a JDK
         * HttpURLConnection waits for the lock its blocked reader holds, and the timer thread must stay free for
         * the other attempts' deadlines.
         */
        private void expire() {
            expired.set(true);
            if (aborted.compareAndSet(false, true)) {
                try {
                    daemon("irsa-attempt-abort").newThread(abort).start();
                } catch (Throwable noThread) {
                    // no thread to be had: the worker still stops at its next guarded read, or its read timeout
                }
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
                throw exceeded();
            }
        }

        private Exceeded exceeded() {
            return new Exceeded(limit, answering);
        }

        @Override
        public void close() {
            owner.live.remove(this);
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    /** The attempt was aborted at its deadline, or not started for stuck earlier ones. Holds no response content. */
    static final class Exceeded extends IOException {
        private static final long serialVersionUID = 1L;
        private final Duration limit;
        private final boolean answering;
        private final boolean stuckEarlier;

        /**
         * @param answering whether the response had begun (status and headers received) when the deadline passed
         */
        Exceeded(Duration limit, boolean answering) {
            this(limit, answering, false);
        }

        private Exceeded(Duration limit, boolean answering, boolean stuckEarlier) {
            super("no complete answer within the attempt deadline of " + millis(limit) + " ("
                    + (stuckEarlier ? "earlier attempts still stuck past theirs" : answering
                    ? "the response had begun but was still arriving" : "no response yet") + ")");
            this.limit = limit;
            this.answering = answering;
            this.stuckEarlier = stuckEarlier;
        }

        /** {@link #MAX_RUNNING} earlier attempts are still running past their deadline: this one was not started. */
        static Exceeded stuckEarlier(Duration limit) {
            return new Exceeded(limit, false, true);
        }

        Duration limit() {
            return limit;
        }

        boolean answering() {
            return answering;
        }

        /** {@return what happened, for a message that goes on "within the attempt deadline of ...: "} */
        String outcome() {
            return stuckEarlier ? MAX_RUNNING + " earlier attempts are still running past theirs (aborted, but their"
                    + " answers neither completed nor ended), so no new one was started until one ends"
                    : answering ? "the response began but was still arriving, so it was aborted"
                    : "no response by then, so the request was aborted";
        }
    }

    static String millis(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
