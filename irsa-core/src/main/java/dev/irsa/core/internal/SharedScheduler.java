package dev.irsa.core.internal;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process-wide scheduler all sessions share: one timer thread ({@code irsa-scheduler}), which only flips
 * state and hands work over, and up to four refresh threads ({@code irsa-refresh-N}) that make the blocking
 * STS calls and die after 30 s idle. Both are daemon threads. Reference-counted: the last
 * {@link #release()} shuts both down, so a closed application leaves no thread of ours behind.
 */
public final class SharedScheduler implements Scheduler {
    private static SharedScheduler instance;
    private static int references;

    private final ScheduledThreadPoolExecutor timer;
    private final ThreadPoolExecutor refreshers;

    private SharedScheduler() {
        timer = new ScheduledThreadPoolExecutor(1, daemon("irsa-scheduler", false));
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        refreshers = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemon("irsa-refresh", true));
        refreshers.allowCoreThreadTimeOut(true);
    }

    /** Takes a reference, starting the scheduler if nobody holds one. */
    public static synchronized SharedScheduler acquire() {
        if (instance == null) {
            instance = new SharedScheduler();
        }
        references++;
        return instance;
    }

    /** Returns a reference; the last one stops the threads. */
    public void release() {
        synchronized (SharedScheduler.class) {
            if (instance != this || references == 0) {
                return;
            }
            if (--references == 0) {
                instance = null;
                timer.shutdownNow();
                refreshers.shutdownNow();
            }
        }
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        ScheduledFuture<?> f = timer.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void execute(Runnable refresh) {
        refreshers.execute(refresh);
    }

    private static ThreadFactory daemon(String name, boolean numbered) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, numbered ? name + "-" + n.incrementAndGet() : name);
            t.setDaemon(true);
            return t;
        };
    }
}
