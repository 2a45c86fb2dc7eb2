package dev.irsa.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UTC {@link Clock} that moves only when a test moves it, to millisecond precision. Give the same instance to
 * the emulator ({@link IrsaEnvironment.Builder#clock(Clock)}) and to the code under test to make time pass
 * for both without sleeping. Thread-safe.
 * @since 0.1.0
 */
public final class ManualClock extends Clock {
    private final AtomicLong millis;

    /**
     * Creates a clock showing {@code start} (truncated to milliseconds).
     *
     * @param start the initial time
     */
    public ManualClock(Instant start) {
        millis = new AtomicLong(start.toEpochMilli());
    }

    /**
     * Starts at the current time.
     *
     * @return a clock showing the current time
     */
    public static ManualClock now() {
        return new ManualClock(Instant.now());
    }

    /**
     * Moves the clock forward (or back, for a negative duration) by {@code d}, to millisecond precision.
     *
     * @param d the duration to add
     */
    public void advance(Duration d) {
        millis.addAndGet(d.toMillis());
    }

    /**
     * Sets the clock to {@code instant} (truncated to milliseconds).
     *
     * @param instant the new time
     */
    public void set(Instant instant) {
        millis.set(instant.toEpochMilli());
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public String toString() {
        return "ManualClock[" + instant() + "]";
    }
}
