package dev.irsa.core.internal;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-wide scheduler all sessions share: one timer thread ({@code irsa-scheduler}), which only flips
 * state and hands work over, up to four refresh threads ({@code irsa-refresh-N}) that make the blocking
 * STS calls, and up to 16 callback threads ({@code irsa-callback-N}) that answer callers who waited for a refresh
 * (their continuations, SDK signing, run there); refresh and callback threads die after 30 s idle. All are daemon
 * threads. The timer thread also runs the clock watchdog once a second, and a CRaC resource tells the watchers about
 * checkpoints and restores. The timer thread never runs a caller's code: with every callback thread busy, an answer
 * runs on a short-lived daemon thread of its own ({@code irsa-callback-overflow-N}), never on the thread that hands it
 * over (a blocked timer thread would end no session's freshness, since the hot path reads no clock) and never queued
 * behind busy callback threads (their continuations may be waiting for it). Reference-counted: the last {@link #release()}
 * shuts them down, so a closed application leaves no thread of ours behind.
 */
public final class SharedScheduler implements Scheduler {
    private static final Logger log = LoggerFactory.getLogger(SharedScheduler.class);
    private static final Duration WATCHDOG_PERIOD = Duration.ofSeconds(1);
    private static SharedScheduler instance;
    private static int references;

    private final ScheduledThreadPoolExecutor timer;
    private final ThreadPoolExecutor refreshers;
    private final ThreadPoolExecutor callbacks;
    private final Set<ClockWatcher> watchers = ConcurrentHashMap.newKeySet();

    private SharedScheduler() {
        timer = new ScheduledThreadPoolExecutor(1, daemon("irsa-scheduler", false));
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        refreshers = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemon("irsa-refresh", true));
        refreshers.allowCoreThreadTimeOut(true);
        // Grows with the callers waiting at once, up to 16 (idle ones die after 30 s). An answer never queues: a
        // continuation on a callback thread may itself wait for one of our answers (an SDK sync client joins
        // resolveIdentity), so an answer queued behind 16 such threads would never run and none of them would return.
        // Past 16, and once shut down, an answer runs on a daemon thread of its own that ends with it. Never on the
        // thread handing it over (the timer thread or a refresh thread), and never dropped (a caller would wait forever).
        ThreadFactory overflow = daemon("irsa-callback-overflow", true);
        callbacks = new ThreadPoolExecutor(0, 16, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemon("irsa-callback", true), (task, pool) -> overflow.newThread(task).start());
        long period = WATCHDOG_PERIOD.toMillis();
        timer.scheduleWithFixedDelay(() -> each(ClockWatcher::checkClock), period, period, TimeUnit.MILLISECONDS);
    }

    /** Takes a reference, starting the scheduler if nobody holds one. */
    public static synchronized SharedScheduler acquire() {
        if (instance == null) {
            instance = new SharedScheduler();
            CheckpointHook.install();
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
                callbacks.shutdown(); // let answers in progress finish
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

    @Override
    public java.util.concurrent.Executor callbacks() {
        return callbacks;
    }

    @Override
    public Cancellable watch(ClockWatcher watcher) {
        watchers.add(watcher);
        return () -> watchers.remove(watcher);
    }

    /** Tells every watcher of the running scheduler, if there is one (for the CRaC hook). */
    static void notifyCurrent(Consumer<ClockWatcher> event) {
        SharedScheduler s;
        synchronized (SharedScheduler.class) {
            s = instance;
        }
        if (s != null) {
            s.each(event);
        }
    }

    private void each(Consumer<ClockWatcher> event) {
        for (ClockWatcher w : watchers) {
            try {
                event.accept(w);
            } catch (Throwable e) {
                // never let it escape: a periodic task that throws is cancelled for good, and the watchdog with it
                log.warn("IRSA clock watcher failed: {}", e.toString());
            }
        }
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
