package dev.irsa.core.internal;

import java.time.Duration;

/** Timers and refresh threads for the engine; tests substitute a manual one driven by a fake clock. */
public interface Scheduler {
    /** Runs {@code task} (which must not block) after {@code delay}. May throw RejectedExecutionException. */
    Cancellable schedule(Runnable task, Duration delay);

    /** Runs a (blocking) refresh off the caller's thread. May throw RejectedExecutionException. */
    void execute(Runnable refresh);

    /** A pending timer. */
    interface Cancellable {
        void cancel();
    }
}
