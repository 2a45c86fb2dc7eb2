package dev.irsa.core.internal;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
 * checkpoints and restores. The timer thread never runs a caller's code: with every callback thread busy, answers
 * queue for the next free one, never falling back to the thread that hands them over (a blocked timer thread would
 * end no session's freshness, since the hot path reads no clock). Reference-counted: the last {@link #release()}
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
        // Grows with the callers waiting at once, up to 16; past that answers queue (unbounded: each is a caller
        // already waiting, so the queue is bounded by them). Never run by the thread handing them over, which may be
        // the timer thread or a refresh thread. Once shut down, an answer still comes, on a thread of its own that
        // ends with it (never dropped: a dropped answer is a caller waiting forever).
        callbacks = new ThreadPoolExecutor(16, 16, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemon("irsa-callback", true), (task, pool) -> daemon("irsa-callback-late", false).newThread(task).start());
        callbacks.allowCoreThreadTimeOut(true);
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
