package dev.irsa.core.internal;

import java.time.Duration;

/** The attempt deadline's default and bounds, shared by both configurations. */
public final class AttemptTimeouts {
    /** Room for the default connect (2 s) and read (5 s) timeouts and a normal answer; a real one takes under 1 s. */
    public static final Duration DEFAULT = Duration.ofSeconds(10);
    /** Past this a deadline no longer protects the refresh schedule (a whole attempt would outlast backoffs). */
    static final Duration MAX = Duration.ofMinutes(5);

    private AttemptTimeouts() {}

    /**
     * @return {@code d}, when positive and at most 5 minutes
     * @throws IllegalArgumentException otherwise, naming the option
     */
    public static Duration validate(Duration d) {
        if (d == null || d.isNegative() || d.isZero() || d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("attemptTimeout must be a positive duration of at most "
                    + MAX.toMinutes() + " minutes, not " + d);
        }
        return d;
    }
}
