package dev.irsa.core;

import dev.irsa.testkit.ManualClock;

import dev.irsa.core.internal.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * Timers driven by a {@link ManualClock}: {@link #advance(Duration)} moves time and runs what falls due, in
 * order. Refreshes run inline on the calling thread, so a test is single-threaded and deterministic.
 */
final class ManualScheduler implements Scheduler {
    private final ManualClock clock;
    private final List<Timer> timers = new ArrayList<>();
    private boolean rejectTimers;
    private int refreshes;

    private static final class Timer {
        final long due;
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
        refreshes++;
        refresh.run();
    }

    int refreshesRun() {
        return refreshes;
    }

    /** Due time (epoch ms) of the next live timer, or -1. */
    synchronized long nextDue() {
        return timers.stream().filter(t -> !t.cancelled).mapToLong(t -> t.due).min().orElse(-1);
    }

    synchronized int pendingTimers() {
        return (int) timers.stream().filter(t -> !t.cancelled).count();
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
