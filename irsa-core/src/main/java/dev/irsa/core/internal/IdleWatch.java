package dev.irsa.core.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that something has gone unused for a while, without a thread, a timer or a clock read of its own on the
 * path of a use: {@link #used()} is one volatile read (and a write only on the first use after a check), and the
 * shared scheduler's clock watchdog, which runs about once a second anyway, checks whether a use was marked since its
 * last look, by the given clock (so a test moves a manual clock instead of waiting). Once unused for the whole idle
 * period, {@code onIdle} runs once, on a refresh thread (never the timer thread: it may close sessions, whose pending
 * callers' continuations then run). Holds a reference on the shared scheduler until {@link #close()}.
 */
public final class IdleWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IdleWatch.class);

    private final Clock clock;
    private final long idleMillis;
    private final Consumer<IdleWatch> onIdle;
    private final SharedScheduler scheduler;
    private final Scheduler.Cancellable watch;
    private final AtomicBoolean fired = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean used;
    /** When a use was last seen (or the watch began), by {@link #clock}; the watchdog's alone once registered. */
    private long since;

    private IdleWatch(Clock clock, Duration idle, Consumer<IdleWatch> onIdle) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.idleMillis = idle.toMillis();
        this.onIdle = Objects.requireNonNull(onIdle, "onIdle");
        this.since = clock.millis();
        this.scheduler = SharedScheduler.acquire();
        this.watch = scheduler.watch(this::check);
    }

    /**
     * Starts watching; the time of this call counts as a use.
     *
     * @param clock the clock idle time is measured by
     * @param idle how long without a use before {@code onIdle} runs
     * @param onIdle what to do (once) when unused that long; given this watch
     * @return the running watch; close it when what it watches is released otherwise
     */
    public static IdleWatch start(Clock clock, Duration idle, Consumer<IdleWatch> onIdle) {
        return new IdleWatch(clock, idle, onIdle);
    }

    /** Marks a use. Cheap enough for every call: a volatile read, a write only once per check period. */
    public void used() {
        if (!used) {
            used = true;
        }
    }

    private void check() {
        long now = clock.millis();
        if (used) {
            used = false;
            since = now;
            return;
        }
        if (now < since) {
            since = now; // the clock went back: count from here rather than never
            return;
        }
        if (now - since >= idleMillis && !closed.get() && fired.compareAndSet(false, true)) {
            Runnable task = () -> {
                try {
                    onIdle.accept(this);
                } catch (RuntimeException e) {
                    log.warn("IRSA: releasing an idle session failed: {}", e.toString());
                }
            };
            try {
                scheduler.execute(task);
            } catch (RejectedExecutionException e) {
                fired.set(false); // shutting down: nothing left to release it on; the next check may try again
            }
        }
    }

    /** Stops watching and returns the reference on the shared scheduler; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            watch.cancel();
            scheduler.release();
        }
    }
}
