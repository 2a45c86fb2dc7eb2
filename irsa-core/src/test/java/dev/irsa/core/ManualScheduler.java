package dev.irsa.core;

import dev.irsa.testkit.ManualClock;

import dev.irsa.core.internal.Scheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;

/**
 * Timers driven by a {@link ManualClock}: {@link #advance(Duration)} moves time and runs what falls due, in
 * order. By default refreshes run inline on the calling thread, so a test is single-threaded and deterministic;
 * {@link #queueRefreshes(boolean)} instead queues them until the test runs them, so a test can see a refresh in
 * flight (callers joining it, a close or a timer racing it) without threads.
 */
final class ManualScheduler implements Scheduler {
    private final ManualClock clock;
    private final List<Timer> timers = new ArrayList<>();
    private final Deque<Runnable> queued = new ArrayDeque<>();
    private final List<ClockWatcher> watchers = new CopyOnWriteArrayList<>();
    private boolean rejectTimers;
    private boolean rejectRefreshes;
    private boolean queue;
    private int refreshes;
    private final List<Throwable> escaped = new ArrayList<>();
    private long suspendedMillis;

    private static final class Timer {
        long due;
        final Runnable task;
        boolean cancelled;

        Timer(long due, Runnable task) {
            this.due = due;
            this.task = task;
        }
    }

    ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    /** Make {@link #schedule} fail as a shut-down executor would. */
    void rejectTimers(boolean reject) {
        this.rejectTimers = reject;
    }

    /** Make {@link #execute} fail as a shut-down or saturated executor would. */
    void rejectRefreshes(boolean reject) {
        this.rejectRefreshes = reject;
    }

    /** Queue refreshes instead of running them inline; {@link #runQueued()} runs them. */
    void queueRefreshes(boolean queue) {
        this.queue = queue;
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, Duration delay) {
        if (rejectTimers) {
            throw new RejectedExecutionException("test: timers rejected");
        }
        Timer t = new Timer(clock.millis() + delay.toMillis(), task);
        timers.add(t);
        return () -> t.cancelled = true;
    }

    @Override
    public void execute(Runnable refresh) {
        if (rejectRefreshes) {
            throw new RejectedExecutionException("test: refreshes rejected");
        }
        refreshes++;
        if (queue) {
            synchronized (this) {
                queued.add(refresh);
            }
            return;
        }
        refresh.run();
    }

    @Override
    public Cancellable watch(ClockWatcher watcher) {
        watchers.add(watcher);
        return () -> watchers.remove(watcher);
    }

    /** The timers' monotonic clock: the manual clock, less the time spent suspended. */
    @Override
    public long nanoTime() {
        return (clock.millis() - suspendedMillis) * 1_000_000L;
    }

    int refreshesRun() {
        return refreshes;
    }

    synchronized int queuedRefreshes() {
        return queued.size();
    }

    /**
     * Runs the queued refreshes as a pool thread would: what a task throws is caught and kept (a real executor
     * would let it kill the worker), so a test sees whether the engine survived it.
     */
    void runQueued() {
        while (true) {
            Runnable r;
            synchronized (this) {
                r = queued.poll();
            }
            if (r == null) {
                return;
            }
            try {
                r.run();
            } catch (Throwable e) {
                escaped.add(e);
            }
        }
    }

    /** What escaped the refresh tasks run by {@link #runQueued()}. */
    List<Throwable> escaped() {
        return escaped;
    }

    /** Due time (epoch ms) of the next live timer, or -1. */
    synchronized long nextDue() {
        return timers.stream().filter(t -> !t.cancelled).mapToLong(t -> t.due).min().orElse(-1);
    }

    synchronized int pendingTimers() {
        return (int) timers.stream().filter(t -> !t.cancelled).count();
    }

    /**
     * Runs the tasks of timers that were cancelled, as happens to a timer whose task had already started when
     * {@code cancel()} was called: the engine must not act on it twice.
     */
    void runCancelledTimers() {
        List<Timer> stale;
        synchronized (this) {
            stale = timers.stream().filter(t -> t.cancelled).toList();
            timers.removeAll(stale);
        }
        stale.forEach(t -> t.task.run());
    }

    /**
     * The JVM (or its host) is suspended for {@code d}: the wall clock moves on, the timers (monotonic) do not, so
     * every pending timer now falls due {@code d} later by the wall clock. Then the process resumes and, within a
     * second, the watchdog looks at the clock.
     */
    void suspend(Duration d) {
        synchronized (this) {
            timers.forEach(t -> t.due += d.toMillis());
            suspendedMillis += d.toMillis();
        }
        clock.advance(d);
        watchers.forEach(ClockWatcher::checkClock);
    }

    /** A CRaC checkpoint, restored {@code d} later: timers postponed by {@code d}, as the monotonic clock is carried over. */
    void checkpointAndRestoreAfter(Duration d) {
        checkpoint();
        storedFor(d);
        restore();
    }

    /** CRaC's notice before the checkpoint. */
    void checkpoint() {
        watchers.forEach(ClockWatcher::beforeCheckpoint);
    }

    /** The image is stored for {@code d}: the wall clock moves on, the timers (monotonic, carried over) do not. */
    void storedFor(Duration d) {
        synchronized (this) {
            timers.forEach(t -> t.due += d.toMillis());
            suspendedMillis += d.toMillis();
        }
        clock.advance(d);
    }

    /** CRaC's notice after the restore. */
    void restore() {
        watchers.forEach(ClockWatcher::afterRestore);
    }

    /** Moves the clock forward, firing every timer that falls due on the way, at its due time. */
    void advance(Duration d) {
        long target = clock.millis() + d.toMillis();
        while (true) {
            Timer next;
            synchronized (this) {
                timers.removeIf(t -> t.cancelled);
                next = timers.stream().filter(t -> t.due <= target).min(Comparator.comparingLong(t -> t.due)).orElse(null);
                if (next != null) {
                    timers.remove(next);
                }
            }
            if (next == null) {
                break;
            }
            if (next.due > clock.millis()) {
                clock.advance(Duration.ofMillis(next.due - clock.millis()));
            }
            next.task.run();
        }
        if (target > clock.millis()) {
            clock.advance(Duration.ofMillis(target - clock.millis()));
        }
    }

    /** Advances to the next timer and fires it. */
    void fireNext() {
        long due = nextDue();
        if (due < 0) {
            throw new AssertionError("no timer pending");
        }
        advance(Duration.ofMillis(Math.max(0, due - clock.millis())));
    }
}
