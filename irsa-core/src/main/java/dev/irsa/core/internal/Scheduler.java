package dev.irsa.core.internal;

import java.time.Duration;

/** Timers and refresh threads for the engine; tests substitute a manual one driven by a fake clock. */
public interface Scheduler {
    /** Runs {@code task} (which must not block) after {@code delay}. May throw RejectedExecutionException. */
    Cancellable schedule(Runnable task, Duration delay);

    /** Runs a (blocking) refresh off the caller's thread. May throw RejectedExecutionException. */
    void execute(Runnable refresh);

    /**
     * Registers a watcher told about time the timers did not see: timers run on the monotonic clock, which stands
     * still while a VM or host is suspended and is carried over across a checkpoint/restore, so a timer can fire
     * hours late by the wall clock. The watcher is checked about once a second, and around a CRaC checkpoint.
     */
    default Cancellable watch(ClockWatcher watcher) {
        return () -> { };
    }

    /**
     * Where callers that waited for a refresh are answered: never a refresh thread or the timer thread, so a caller's
     * continuation (SDK request signing) cannot hold up refreshes or timers; an implementation with threads for it
     * queues what they cannot take at once rather than run it on the handing thread. Inline unless the scheduler has
     * threads for it (test schedulers). May throw RejectedExecutionException.
     */
    default java.util.concurrent.Executor callbacks() {
        return Runnable::run;
    }

    /** The monotonic clock the timers run on, in nanoseconds ({@link System#nanoTime()} unless a test fakes it). */
    default long nanoTime() {
        return System.nanoTime();
    }

    /** A pending timer. */
    interface Cancellable {
        void cancel();
    }

    /** What a session does when the wall clock may have moved without its timers. Must not block. */
    interface ClockWatcher {
        /** Compare the wall clock with what the timers promised, and act if it has overtaken them. */
        void checkClock();

        /** A checkpoint is about to be taken: stop trusting timers until {@link #afterRestore()}. */
        default void beforeCheckpoint() {
        }

        /** The process was restored from a checkpoint, possibly long after it was taken and elsewhere. */
        default void afterRestore() {
            checkClock();
        }
    }
}
