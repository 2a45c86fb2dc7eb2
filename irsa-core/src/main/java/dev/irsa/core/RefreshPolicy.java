package dev.irsa.core;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * When credentials are refreshed and how failures are retried. Immutable and thread-safe; build with
 * {@link #builder()} or take {@link #defaults()}.
 *
 * <ul>
 *   <li><b>Advisory window</b> (by lifetime L): L &lt; 20 min → 5 min, L &lt; 90 min → 15 min, else 60 min; never
 *       more than L/3, so short sessions (the test kit's 20-second ones) do not refresh continuously. The
 *       background refresh starts at a random point in the first half of this window, so a fleet of pods
 *       started together drifts apart.</li>
 *   <li><b>Mandatory window</b>: 1 min, never more than L/10. Inside it callers wait (bounded) for the refresh
 *       rather than take credentials about to expire.</li>
 *   <li><b>Floor</b>: a session is never refreshed on schedule sooner than {@link #refreshFloor(Duration)} after
 *       its last success: a tenth of the lifetime, at most {@value #MIN_REFRESH_INTERVAL_MINUTES} min. Lifetimes are
 *       counted on the issuer's clock when this machine's is found to be off (STS's {@code Date} header and
 *       expiry agree on a skew of 4 min or more; one WARN per session names it), so a clock far ahead no longer
 *       turns one-hour credentials into a refresh every minute.</li>
 *   <li><b>Minimum refresh interval</b> ({@link #minimumRefreshInterval()}, default 60 s): a hard floor for when
 *       the skew cannot be seen (the EKS Pod Identity agent runs on this node, so its {@code Date} is this node's
 *       clock and its credentials carry only an expiry; a proxy that strips STS's {@code Date}). No exchange of
 *       any kind (scheduled, a caller's, asynchronous, {@code credentials(minValidity)}) starts sooner than this
 *       after the session's last <em>successful</em> one, and meanwhile the credentials it obtained are served even
 *       when this machine's clock says they are expired or inside the mandatory window: STS never issues
 *       credentials valid for less than 15 min ({@code DurationSeconds} is at least 900), so they are still valid
 *       at AWS. One WARN per session names the likely cause (this clock ahead by at least so much; check NTP). A
 *       clock however far ahead then costs at most one exchange per interval (60 an hour by default), not a
 *       continuous loop. Failed exchanges keep their own backoff; credentials that looked expired or too short on
 *       arrival stay served through it until 14 min after they arrived (15 min less the mandatory window), while
 *       still valid at AWS, and {@code SessionState.clockAhead()} is set meanwhile. Only newly issued credentials
 *       (a new access key, or an answer from STS) are served past this clock's expiry: the same ones handed back
 *       again by a caching endpoint go by this clock. {@link Duration#ZERO} turns the floor off (the
 *       test kit's emulators can issue credentials a few seconds long that must be refreshed sooner).</li>
 *   <li><b>Backoff</b> after a failed refresh: exponential with full jitter, from {@code backoffBase} up to
 *       {@code backoffMax} while credentials are valid (never later than half the time left before the
 *       mandatory window), and up to {@code expiredBackoffMax} once they are not.</li>
 * </ul>
 * @since 0.1.0
 */
public final class RefreshPolicy {
    private static final Duration MIN_DELAY = Duration.ofMillis(100);
    /** The floor's cap, in minutes: what {@link #refreshFloor(Duration)} gives for lifetimes of 50 min and more. */
    public static final int MIN_REFRESH_INTERVAL_MINUTES = 5;
    /** The default {@link #minimumRefreshInterval()}. */
    public static final Duration DEFAULT_MINIMUM_REFRESH_INTERVAL = Duration.ofSeconds(60);
    /**
     * The largest {@link #minimumRefreshInterval()} accepted: credentials served inside it must still be valid at AWS,
     * and STS's shortest ones last 15 min, so 5 min leaves them two thirds of their life.
     */
    public static final Duration MAX_MINIMUM_REFRESH_INTERVAL = Duration.ofMinutes(5);
    private static final RefreshPolicy DEFAULTS = builder().build(); // after the constants the builder reads

    private final Duration mandatoryWindow;
    private final double jitter;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final Duration expiredBackoffMax;
    private final int maxAttempts;
    private final Duration waitTimeout;
    private final Duration nonRecoverableErrorTtl;
    private final boolean backgroundRefresh;
    private final Duration tokenReadRetry;
    private final Duration minimumRefreshInterval;

    private RefreshPolicy(Builder b) {
        this.mandatoryWindow = b.mandatoryWindow;
        this.jitter = b.jitter;
        this.backoffBase = b.backoffBase;
        this.backoffMax = b.backoffMax;
        this.expiredBackoffMax = b.expiredBackoffMax;
        this.maxAttempts = b.maxAttempts;
        this.waitTimeout = b.waitTimeout;
        this.nonRecoverableErrorTtl = b.nonRecoverableErrorTtl;
        this.backgroundRefresh = b.backgroundRefresh;
        this.tokenReadRetry = b.tokenReadRetry;
        this.minimumRefreshInterval = b.minimumRefreshInterval;
    }

    /** {@return the default policy (what {@code builder().build()} gives)} */
    public static RefreshPolicy defaults() {
        return DEFAULTS;
    }

    /** {@return a new builder holding the defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a new builder holding this policy's values} */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The advisory window for credentials of this lifetime.
     *
     * @param lifetime the credentials' lifetime, from issue to expiry
     * @return 5, 15 or 60 minutes by lifetime, at most a third of it
     */
    public Duration advisoryWindow(Duration lifetime) {
        Duration w = lifetime.compareTo(Duration.ofMinutes(20)) < 0 ? Duration.ofMinutes(5)
                : lifetime.compareTo(Duration.ofMinutes(90)) < 0 ? Duration.ofMinutes(15) : Duration.ofMinutes(60);
        return min(w, lifetime.dividedBy(3));
    }

    /**
     * The mandatory window for credentials of this lifetime.
     *
     * @param lifetime the credentials' lifetime, from issue to expiry
     * @return {@link #mandatoryWindowMax()}, at most a tenth of {@code lifetime}
     */
    public Duration mandatoryWindow(Duration lifetime) {
        return min(mandatoryWindow, lifetime.dividedBy(10));
    }

    /**
     * How long before expiry the background refresh starts: somewhere in the first {@code jitter} part of the
     * advisory window (by default its first half), drawn from {@code random}.
     *
     * @param lifetime the credentials' lifetime, from issue to expiry
     * @param random the source of the jitter
     * @return the time before expiry at which to refresh; always longer than the mandatory window
     */
    public Duration refreshLead(Duration lifetime, RandomGenerator random) {
        Duration advisory = advisoryWindow(lifetime);
        long spread = (long) (advisory.toMillis() * jitter);
        long lead = advisory.toMillis() - (spread <= 0 ? 0 : random.nextLong(spread + 1));
        return Duration.ofMillis(Math.max(lead, mandatoryWindow(lifetime).toMillis() + 1));
    }

    /**
     * The least time from a successful refresh to the next scheduled one: a tenth of the lifetime, at most
     * {@value #MIN_REFRESH_INTERVAL_MINUTES} minutes (so 5 min for STS's one-hour credentials, 90 s for its
     * shortest, 15-minute ones). The advisory and first-refresh arithmetic already keep to it; the floor makes it
     * a guarantee. It can never reach the mandatory window (at most a tenth of the lifetime before expiry). The
     * {@linkplain #minimumRefreshInterval() minimum refresh interval} applies on top of it, whatever the lifetime
     * looks by this machine's clock, and may reach the mandatory window or the expiry of credentials that look that
     * short (then they are served until it ends).
     *
     * @param lifetime the credentials' lifetime, from issue to expiry
     * @return the minimum interval before the next scheduled refresh
     */
    public Duration refreshFloor(Duration lifetime) {
        return min(Duration.ofMinutes(MIN_REFRESH_INTERVAL_MINUTES), lifetime.dividedBy(10));
    }

    /**
     * The lead for a session's <em>first</em> credentials. Pods started together (a deployment, a node restart) get
     * their first credentials in the same second; if their first refresh were only jittered within the advisory
     * window they would stay bunched for many hours. So the first refresh is spread over most of the first
     * lifetime instead, from {@code lifetime/10} after issue to the usual latest point, which costs one early STS
     * call per session and leaves the fleet's refreshes evenly spread from then on. Without jitter it is
     * {@link #refreshLead(Duration, RandomGenerator)}.
     *
     * @param lifetime the credentials' lifetime, from issue to expiry
     * @param random the source of the jitter
     * @return the time before expiry at which to refresh the first credentials
     */
    public Duration firstRefreshLead(Duration lifetime, RandomGenerator random) {
        if (jitter == 0) {
            return refreshLead(lifetime, random);
        }
        long latest = advisoryWindow(lifetime).toMillis() - (long) (advisoryWindow(lifetime).toMillis() * jitter);
        long earliest = lifetime.toMillis() - lifetime.toMillis() / 10;
        latest = Math.max(latest, mandatoryWindow(lifetime).toMillis() + 1);
        long lead = earliest <= latest ? latest : latest + random.nextLong(earliest - latest + 1);
        return Duration.ofMillis(lead);
    }

    /**
     * Delay before retry number {@code failures} (1 for the first failure): full jitter over
     * {@code min(cap, base * 2^(failures-1))}, at least 100 ms.
     *
     * @param failures consecutive failures so far, at least 1
     * @param untilMandatory time left before the mandatory window, or null when no valid credentials are held
     * @param untilExpiry time left before the held credentials expire, or null when none are held
     * @param random the source of the jitter
     * @return the delay before the next attempt
     */
    public Duration backoff(int failures, Duration untilMandatory, Duration untilExpiry, RandomGenerator random) {
        long cap;
        if (untilExpiry == null || untilExpiry.isNegative() || untilExpiry.isZero()) {
            cap = expiredBackoffMax.toMillis();
        } else {
            long toMandatory = untilMandatory == null || untilMandatory.isNegative() ? 0 : untilMandatory.toMillis();
            // Half the time left, so several tries happen before the mandatory window; the cap never shrinks below
            // the expired cap, so approaching the deadline does not turn into a retry storm...
            cap = Math.min(backoffMax.toMillis(), Math.max(expiredBackoffMax.toMillis(), toMandatory / 2));
            // ...and never past half the remaining life, so the last tries still land before expiry.
            cap = Math.min(cap, Math.max(backoffBase.toMillis(), untilExpiry.toMillis() / 2));
        }
        int shift = Math.min(Math.max(failures - 1, 0), 30);
        long exp = Math.min(cap, backoffBase.toMillis() << shift);
        long delay = exp <= MIN_DELAY.toMillis() ? MIN_DELAY.toMillis() : MIN_DELAY.toMillis()
                + random.nextLong(exp - MIN_DELAY.toMillis() + 1);
        return Duration.ofMillis(delay);
    }

    /**
     * STS calls one refresh may make while a caller is waiting (retryable errors only).
     *
     * @return the maximum number of STS calls per refresh, 1 to 10; default 3
     */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * The longest a caller waits: for the first credentials, or for a refresh in the mandatory window.
     *
     * @return the wait timeout; default 10 s
     */
    public Duration waitTimeout() {
        return waitTimeout;
    }

    /**
     * How long a non-recoverable error is handed to callers before another STS call is tried.
     *
     * @return how long a non-recoverable error is reused; default 5 s
     */
    public Duration nonRecoverableErrorTtl() {
        return nonRecoverableErrorTtl;
    }

    /**
     * Whether credentials are refreshed in the background ahead of expiry (default true).
     *
     * @return true if refreshes run in the background ahead of expiry
     */
    public boolean backgroundRefresh() {
        return backgroundRefresh;
    }

    /**
     * How long a missing or empty token file is re-read (the kubelet's atomic swap), about a second.
     *
     * @return how long the token file is re-read; default 1 s
     */
    public Duration tokenReadRetry() {
        return tokenReadRetry;
    }

    /**
     * The least time from a session's last successful exchange to the start of the next one, whatever asks for it
     * (the background timer, a caller, an asynchronous caller, {@code credentials(minValidity)}); within it the
     * credentials that exchange obtained are served even if this machine's clock says they are expired. A guard
     * against a clock far ahead that nothing could detect (see the class description); failures are not affected.
     *
     * @return the minimum refresh interval; default 60 s, {@link Duration#ZERO} when the floor is off
     */
    public Duration minimumRefreshInterval() {
        return minimumRefreshInterval;
    }

    /** {@return the first retry delay after a failed refresh; default 1 s} */
    public Duration backoffBase() {
        return backoffBase;
    }

    /** {@return the longest retry delay while the cached credentials are valid; default 5 min} */
    public Duration backoffMax() {
        return backoffMax;
    }

    /** {@return the longest retry delay once no valid credentials are held; default 10 s} */
    public Duration expiredBackoffMax() {
        return expiredBackoffMax;
    }

    /** {@return the fraction (0–1) of the advisory window over which the refresh start is spread; default 0.5} */
    public double jitter() {
        return jitter;
    }

    /** {@return the mandatory window before it is capped at a tenth of the lifetime; default 1 min} */
    public Duration mandatoryWindowMax() {
        return mandatoryWindow;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RefreshPolicy p && p.mandatoryWindow.equals(mandatoryWindow) && p.jitter == jitter
                && p.backoffBase.equals(backoffBase) && p.backoffMax.equals(backoffMax)
                && p.expiredBackoffMax.equals(expiredBackoffMax) && p.maxAttempts == maxAttempts
                && p.waitTimeout.equals(waitTimeout) && p.nonRecoverableErrorTtl.equals(nonRecoverableErrorTtl)
                && p.backgroundRefresh == backgroundRefresh && p.tokenReadRetry.equals(tokenReadRetry)
                && p.minimumRefreshInterval.equals(minimumRefreshInterval);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mandatoryWindow, jitter, backoffBase, backoffMax, expiredBackoffMax, maxAttempts, waitTimeout,
                nonRecoverableErrorTtl, backgroundRefresh, tokenReadRetry, minimumRefreshInterval);
    }

    @Override
    public String toString() {
        return "RefreshPolicy[mandatoryWindow=" + mandatoryWindow + ", jitter=" + jitter + ", backoff=" + backoffBase
                + ".." + backoffMax + " (expired: .." + expiredBackoffMax + "), maxAttempts=" + maxAttempts
                + ", waitTimeout=" + waitTimeout + ", nonRecoverableErrorTtl=" + nonRecoverableErrorTtl
                + ", backgroundRefresh=" + backgroundRefresh + ", minimumRefreshInterval=" + minimumRefreshInterval + "]";
    }

    /** Builds a {@link RefreshPolicy}; every setter validates its argument. */
    public static final class Builder {
        private Duration mandatoryWindow = Duration.ofMinutes(1);
        private double jitter = 0.5;
        private Duration backoffBase = Duration.ofSeconds(1);
        private Duration backoffMax = Duration.ofMinutes(5);
        private Duration expiredBackoffMax = Duration.ofSeconds(10);
        private int maxAttempts = 3;
        private Duration waitTimeout = Duration.ofSeconds(10);
        private Duration nonRecoverableErrorTtl = Duration.ofSeconds(5);
        private boolean backgroundRefresh = true;
        private Duration tokenReadRetry = Duration.ofSeconds(1);
        private Duration minimumRefreshInterval = DEFAULT_MINIMUM_REFRESH_INTERVAL;

        private Builder() {}

        private Builder(RefreshPolicy p) {
            mandatoryWindow = p.mandatoryWindow;
            jitter = p.jitter;
            backoffBase = p.backoffBase;
            backoffMax = p.backoffMax;
            expiredBackoffMax = p.expiredBackoffMax;
            maxAttempts = p.maxAttempts;
            waitTimeout = p.waitTimeout;
            nonRecoverableErrorTtl = p.nonRecoverableErrorTtl;
            backgroundRefresh = p.backgroundRefresh;
            tokenReadRetry = p.tokenReadRetry;
            minimumRefreshInterval = p.minimumRefreshInterval;
        }

        /**
         * The mandatory window, before it is capped at a tenth of the lifetime; default 1 min.
         *
         * @param d a positive duration
         * @return this builder
         * @throws IllegalArgumentException if {@code d} is null, zero or negative
         */
        public Builder mandatoryWindow(Duration d) {
            mandatoryWindow = positive(d, "mandatoryWindow");
            return this;
        }

        /**
         * Fraction (0–1) of the advisory window over which the refresh start is spread; default 0.5.
         *
         * @param fraction the fraction, 0 to 1
         * @return this builder
         * @throws IllegalArgumentException if {@code fraction} is outside 0–1
         */
        public Builder jitter(double fraction) {
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new IllegalArgumentException("jitter must be between 0 and 1, not " + fraction);
            }
            jitter = fraction;
            return this;
        }

        /**
         * The first retry delay after a failed refresh; default 1 s.
         *
         * @param d a positive duration
         * @return this builder
         * @throws IllegalArgumentException if {@code d} is null, zero or negative
         */
        public Builder backoffBase(Duration d) {
            backoffBase = positive(d, "backoffBase");
            return this;
        }

        /**
         * The longest retry delay while the cached credentials are valid; default 5 min.
         *
         * @param d a positive duration
         * @return this builder
         * @throws IllegalArgumentException if {@code d} is null, zero or negative
         */
        public Builder backoffMax(Duration d) {
            backoffMax = positive(d, "backoffMax");
            return this;
        }

        /**
         * The longest retry delay once no valid credentials are held; default 10 s.
         *
         * @param d a positive duration
         * @return this builder
         * @throws IllegalArgumentException if {@code d} is null, zero or negative
         */
        public Builder expiredBackoffMax(Duration d) {
            expiredBackoffMax = positive(d, "expiredBackoffMax");
            return this;
        }

        /**
         * STS calls one refresh may make while a caller is waiting (retryable errors only); default 3.
         *
         * @param n 1 to 10
         * @return this builder
         * @throws IllegalArgumentException if {@code n} is outside 1–10
         */
        public Builder maxAttempts(int n) {
            if (n < 1 || n > 10) {
                throw new IllegalArgumentException("maxAttempts must be between 1 and 10, not " + n);
            }
            maxAttempts = n;
            return this;
        }

        /**
         * The longest a caller waits, for the first credentials or for a refresh in the mandatory window; default 10 s.
         *
         * @param d a positive duration
         * @return this builder
         * @throws IllegalArgumentException if {@code d} is null, zero or negative
         */
        public Builder waitTimeout(Duration d) {
            waitTimeout = positive(d, "waitTimeout");
            return this;
        }

        /**
         * 1–5 s is sensible: long enough not to hammer STS, short enough to notice a fix.
         *
         * @param d how long a non-recoverable error is handed to callers before STS is asked again; default 5 s
         * @return this builder
         * @throws IllegalArgumentException if {@code d} is null, zero or negative
         */
        public Builder nonRecoverableErrorTtl(Duration d) {
            nonRecoverableErrorTtl = positive(d, "nonRecoverableErrorTtl");
            return this;
        }

        /**
         * Whether to refresh in the background ahead of expiry; default true.
         *
         * @param enabled false to refresh only when callers need credentials
         * @return this builder
         */
        public Builder backgroundRefresh(boolean enabled) {
            backgroundRefresh = enabled;
            return this;
        }

        /**
         * How long to keep re-reading a token file that is briefly missing (the kubelet's swap); zero or more.
         *
         * @param d the retry period; default 1 s
         * @return this builder
         * @throws NullPointerException if {@code d} is null
         * @throws IllegalArgumentException if {@code d} is negative
         */
        public Builder tokenReadRetry(Duration d) {
            Objects.requireNonNull(d, "tokenReadRetry");
            if (d.isNegative()) {
                throw new IllegalArgumentException("tokenReadRetry must be zero or positive, not " + d);
            }
            tokenReadRetry = d;
            return this;
        }

        /**
         * The least time from the session's last successful exchange to the next one; default 60 s. Within it the
         * credentials just obtained are served even when this machine's clock says they are expired (see
         * {@link RefreshPolicy}), so a node clock far ahead costs at most one exchange per interval. Set
         * {@link Duration#ZERO} to turn the floor off, e.g. for tests against an emulator that issues credentials a
         * few seconds long and expects them refreshed sooner.
         *
         * @param d zero (off) or a positive duration of at most {@link #MAX_MINIMUM_REFRESH_INTERVAL} (5 min)
         * @return this builder
         * @throws IllegalArgumentException if {@code d} is null, negative or longer than 5 min
         */
        public Builder minimumRefreshInterval(Duration d) {
            if (d == null || d.isNegative() || d.compareTo(MAX_MINIMUM_REFRESH_INTERVAL) > 0) {
                throw new IllegalArgumentException("minimumRefreshInterval must be between 0 (off) and "
                        + MAX_MINIMUM_REFRESH_INTERVAL + " (credentials served inside it must still be valid at AWS,"
                        + " and STS's shortest last 15 min), not " + d);
            }
            minimumRefreshInterval = d;
            return this;
        }

        /**
         * Builds the policy.
         *
         * @return the policy
         * @throws IllegalArgumentException if {@code backoffMax} is below {@code backoffBase}
         */
        public RefreshPolicy build() {
            if (backoffMax.compareTo(backoffBase) < 0) {
                throw new IllegalArgumentException("backoffMax (" + backoffMax + ") is below backoffBase (" + backoffBase + ")");
            }
            return new RefreshPolicy(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be a positive duration, not " + d);
            }
            return d;
        }
    }
}
