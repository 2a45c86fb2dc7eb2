package dev.irsa.core.internal;

import dev.irsa.core.IrsaException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;

/**
 * The one retry loop both STS exchanges use: an attempt that fails with a {@link IrsaException.Kind#RETRYABLE}
 * {@link IrsaException} is tried again, up to {@code maxAttempts} in all, after an exponential pause with full
 * jitter (10 ms up to 100 ms, 200 ms, 400 ms, ... capped at 1 s: the caller is usually waiting, and the engine
 * backs off further between refreshes). Any other failure ends the loop at once. Thread-safe; blocking.
 */
public final class StsRetry {
    /** Sleeps; the seam tests replace so they can see the pauses without waiting for them. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    static final long MIN_PAUSE_MILLIS = 10;
    static final long MAX_PAUSE_MILLIS = 1000;

    private static final StsRetry STANDARD = new StsRetry(Thread::sleep,
            cap -> ThreadLocalRandom.current().nextLong(MIN_PAUSE_MILLIS, cap + 1));

    private final Sleeper sleeper;
    private final LongUnaryOperator jitter;

    /**
     * @param jitter picks the pause in milliseconds given the cap for this failure (full jitter: anywhere in
     *               {@code [10, cap]})
     */
    public StsRetry(Sleeper sleeper, LongUnaryOperator jitter) {
        this.sleeper = sleeper;
        this.jitter = jitter;
    }

    public static StsRetry standard() {
        return STANDARD;
    }

    /** The cap of the pause after the {@code failures}-th consecutive failure: 100 ms doubling, at most 1 s. */
    static long cap(int failures) {
        return Math.min(MAX_PAUSE_MILLIS, 100L << Math.min(failures - 1, 10));
    }

    /**
     * Runs {@code attempt} until it succeeds, fails with a non-retryable error, or has failed retryably
     * {@code maxAttempts} times (then that last failure is thrown).
     */
    public <T> T run(int maxAttempts, Supplier<T> attempt) {
        int failures = 0;
        while (true) {
            try {
                return attempt.get();
            } catch (IrsaException e) {
                if (e.kind() != IrsaException.Kind.RETRYABLE || ++failures >= maxAttempts) {
                    throw e;
                }
                pause(failures);
            }
        }
    }

    private void pause(int failures) {
        try {
            sleeper.sleep(jitter.applyAsLong(cap(failures)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IrsaException(IrsaException.Kind.TIMEOUT, "Interrupted while retrying STS");
        }
    }
}
