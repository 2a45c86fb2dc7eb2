package dev.irsa.rds;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.irsa.core.SessionState;
import dev.irsa.rds.internal.DeferredCredentials;
import dev.irsa.rds.internal.RdsTokenSigner;
import dev.irsa.sdk.IrsaCredentialsProvider;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * RDS / Aurora IAM database authentication tokens, signed with IRSA / EKS Pod Identity credentials (an
 * {@link IrsaCredentialsProvider} by default), and reused while they are safely valid. A token is the one the SDK's
 * {@code RdsUtilities.generateAuthenticationToken} makes, byte for byte, signed here without the SDK's signer, which
 * logs each canonical request, session token included, at DEBUG.
 *
 * <p>Aurora DSQL tokens too, for an endpoint whose host is a DSQL cluster endpoint ({@link RdsEndpoint#isDsql()}):
 * the one the SDK's {@code DsqlUtilities} makes, byte for byte, {@code DbConnectAdmin} for the user {@code admin} and
 * {@code DbConnect} for any other ({@link RdsEndpoint#isDsqlAdmin()} says why), with the SDK's default 15-minute
 * expiry (DSQL accepts up to a week; a longer token would buy nothing here, since a token never outlives the
 * credentials that sign it, and would widen what a leaked one allows). Everything below holds for both.
 *
 * <p>A token is valid for 15 minutes, but never longer than the credentials that signed it: its validity ends at
 * {@code min(signed + 15 min, credentials' expiry)}. A cached token is handed out only while that end is more than
 * {@link Builder#margin(Duration) margin} away and it was signed with the provider's current credentials (or newer
 * ones); otherwise the token is signed again with the provider's current credentials. Those come from the session's
 * cache: the session refreshes them in the background well before they expire (7.5 to 15 minutes before, for
 * 1-hour credentials) and makes a caller wait for STS only in its short mandatory window (1 minute by default), so a
 * new connection costs a cache lookup, a signature now and then, and never an STS call of its own.
 *
 * <p>What is guaranteed when the credentials themselves expire within the margin:
 * <ul>
 *   <li>With an {@link IrsaCredentialsProvider}, a token is handed out only while the credentials that sign it
 *       outlive the margin. Credentials that do not are refreshed first
 *       ({@link IrsaCredentialsProvider#resolveCredentials(Duration)}: one STS call however many threads ask, waited
 *       for at most the session's wait timeout, none while the session backs off after a failed refresh, and at most
 *       one per half the credentials' life even with a margin longer than that). If the session still has none that
 *       outlive the margin (STS down, the role's trust policy changed, a refresh slower than the wait timeout),
 *       {@link RdsAuthTokenException} is thrown, carrying the session's {@link SessionState} and its last error, so
 *       the cause shows as what STS said rather than as the database refusing a token that expired on the way.</li>
 *   <li>With another provider, which cannot be asked to refresh, a token is refused once its credentials have
 *       expired; before that it is handed out but not cached.</li>
 * </ul>
 *
 * <p>Thread-safe; tokens for one endpoint are signed once however many threads ask (one per endpoint at a time).
 * {@link #token(RdsEndpoint)} blocks only while the credential provider does; {@link #tokenAsync(RdsEndpoint)} never
 * blocks its caller (for event-loop threads: R2DBC drivers). No token, key or session token is
 * logged (whatever the log level, the SDK's loggers included), put in an exception or in {@link #toString()}.
 *
 * @since 0.1.0
 */
public final class RdsAuthTokens implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RdsAuthTokens.class);
    /** How long RDS accepts a token after it was signed. */
    public static final Duration TOKEN_LIFETIME = Duration.ofMinutes(15);

    private final AwsCredentialsProvider credentials;
    private final boolean ownsCredentials;
    private final Clock clock;
    private final Duration margin;
    private final long marginMillis;
    /** The longest a token is reused by elapsed time: its lifetime less the margin. */
    private final long reuseNanos;
    private final Cache<RdsEndpoint, Signed> cache;
    private final AtomicLong signatures = new AtomicLong();
    /** Where {@link #tokenAsync} waits for credentials: created on first need, shut down by {@link #close()}. */
    private ThreadPoolExecutor waiters;
    private boolean closed;

    /** A token, the credentials that signed it and the end of its validity (epoch millis: no allocation to compare). */
    private record Signed(String token, AwsCredentials signer, long validUntilMillis, long signedNanos) {
        @Override
        public String toString() {
            return "Signed[validUntil=" + Instant.ofEpochMilli(validUntilMillis) + "]";
        }
    }

    private RdsAuthTokens(Builder b) {
        this.ownsCredentials = b.credentials == null;
        this.credentials = b.credentials != null ? b.credentials : IrsaCredentialsProvider.create();
        this.clock = b.clock;
        this.margin = b.margin;
        this.marginMillis = b.margin.toMillis();
        this.reuseNanos = TOKEN_LIFETIME.minus(b.margin).toNanos();
        // These options pick the generated classes Caffeine loads by name (SSMS, PSMS), which this jar's native-image
        // metadata registers (META-INF/native-image, checked by NativeImageMetadataTest): change them together.
        this.cache = Caffeine.newBuilder().maximumSize(b.maximumEndpoints).build();
    }

    /**
     * Tokens signed with {@link IrsaCredentialsProvider#create()} (IRSA or EKS Pod Identity, from the pod's
     * environment), closed with this.
     *
     * @return the token source; close it when done
     */
    public static RdsAuthTokens create() {
        return builder().build();
    }

    /** {@return a builder} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A valid token for {@code endpoint}: the cached one while it is safely valid, else a newly signed one.
     *
     * @param endpoint the database endpoint, user and region
     * @return the token, to send as the database password
     * @throws RdsAuthTokenException when no credentials can be had (the message says why)
     */
    public String token(RdsEndpoint endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        AwsCredentials current = currentCredentials(endpoint);
        Signed cached = cache.getIfPresent(endpoint);
        if (usable(cached, current, clock.millis())) {
            return cached.token();
        }
        AwsCredentials signer = refreshedIfWithinMargin(endpoint, current);
        requireUsableCredentials(endpoint, signer, clock.millis());
        Signed[] fresh = new Signed[1];
        Signed kept = cache.asMap().compute(endpoint, (ep, old) -> {
            if (usable(old, signer, clock.millis())) {
                return old;
            }
            Signed s = sign(ep, signer);
            fresh[0] = s;
            // Credentials about to expire give a token valid for less than the margin: hand it out, cache nothing.
            return usable(s, signer, clock.millis()) ? s : null;
        });
        return kept != null ? kept.token() : fresh[0].token();
    }

    /**
     * A valid token for {@code endpoint}, without blocking the calling thread (a driver's event loop): a completed
     * future when the cached token is safely valid for credentials the provider has at hand (an IRSA / Pod Identity
     * provider's cached ones, or a static provider's), else a future completed by what {@link #token(RdsEndpoint)}
     * does, run on a thread of this token source ({@code irsa-rds-token-N}, daemon, at most two, ended by
     * {@link #close()} or after 10 idle seconds): signing, or waiting for the session's refresh.
     *
     * @param endpoint the database endpoint, user and region
     * @return the token; completed exceptionally with {@link RdsAuthTokenException} when no credentials can be had
     *         or this token source is closed
     */
    public CompletableFuture<String> tokenAsync(RdsEndpoint endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        String cached = cachedTokenAtHand(endpoint);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        CompletableFuture<String> out = new CompletableFuture<>();
        try {
            waiters().execute(() -> {
                if (out.isDone()) {
                    return; // cancelled by the caller
                }
                try {
                    out.complete(token(endpoint));
                } catch (RuntimeException | Error e) {
                    out.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            out.completeExceptionally(new RdsAuthTokenException("No RDS IAM authentication token for " + endpoint
                    + ": the RdsAuthTokens was closed", e));
        }
        return out;
    }

    /** The cached token if it is safely valid for credentials learnt without blocking; else null. */
    private String cachedTokenAtHand(RdsEndpoint endpoint) {
        Signed cached = cache.getIfPresent(endpoint);
        if (cached == null) {
            return null;
        }
        AwsCredentialsProvider p = credentials;
        if (p instanceof DeferredCredentials d) {
            DeferredCredentials.Chosen chosen = d.chosenIfAny();
            p = chosen == null ? null : chosen.provider();
        }
        AwsCredentialsIdentity current;
        try {
            if (p instanceof IrsaCredentialsProvider irsa) {
                CompletableFuture<? extends AwsCredentialsIdentity> f = irsa.resolveIdentity(); // never blocks
                if (!f.isDone() || f.isCompletedExceptionally()) {
                    return null;
                }
                current = f.join();
            } else if (p instanceof StaticCredentialsProvider s) {
                current = s.resolveCredentials();
            } else {
                return null; // another provider may block: ask it from a thread of our own
            }
        } catch (RuntimeException e) {
            return null; // token() says why, from a thread of our own
        }
        return current instanceof AwsCredentials c && usable(cached, c, clock.millis()) ? cached.token() : null;
    }

    private synchronized ThreadPoolExecutor waiters() {
        if (closed) {
            throw new RejectedExecutionException("closed");
        }
        if (waiters == null) {
            AtomicInteger n = new AtomicInteger();
            ThreadPoolExecutor e = new ThreadPoolExecutor(2, 2, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "irsa-rds-token-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            e.allowCoreThreadTimeOut(true);
            waiters = e;
        }
        return waiters;
    }

    /**
     * A valid token for {@code user} at {@code host:port} in {@code region}.
     *
     * @param host the endpoint's host name
     * @param port the endpoint's port
     * @param user the database user
     * @param region the region
     * @return the token
     * @throws IllegalArgumentException if a part is malformed
     * @throws RdsAuthTokenException when no credentials can be had
     */
    public String token(String host, int port, String user, String region) {
        return token(new RdsEndpoint(host, port, user, region));
    }

    /** {@return the credentials provider tokens are signed with} */
    public AwsCredentialsProvider credentialsProvider() {
        return provider();
    }

    /** The provider, one chosen late (under Spring) unwrapped: the IRSA checks below need the real one. */
    private AwsCredentialsProvider provider() {
        return credentials instanceof DeferredCredentials d ? d.chosen().provider() : credentials;
    }

    /** {@return how many tokens were signed so far (each cache miss), for tests and metrics} */
    public long signatures() {
        return signatures.get();
    }

    /**
     * Safely valid and signed with {@code current} or with credentials that expire later: a thread still holding the
     * credentials from before a refresh must not replace a token signed with the new ones (the cache would flip-flop).
     */
    private boolean usable(Signed s, AwsCredentials current, long nowMillis) {
        return s != null && nowMillis + marginMillis < s.validUntilMillis()
                // elapsed time too, which a wall clock set back cannot shorten
                && System.nanoTime() - s.signedNanos() < reuseNanos
                && (s.signer() == current || s.signer().equals(current) || expiresLater(s.signer(), current));
    }

    private static boolean expiresLater(AwsCredentials a, AwsCredentials than) {
        Instant ea = a.expirationTime().orElse(null);
        Instant eb = than.expirationTime().orElse(null);
        return ea != null && eb != null && ea.isAfter(eb);
    }

    /**
     * Refresh first: credentials from an IRSA session that expire within the margin are exchanged for ones that
     * outlive it, if the session can get them ({@link IrsaCredentialsProvider#resolveCredentials(Duration)}: one
     * refresh, bounded wait, none while it backs off after a failure). Other providers' credentials are kept as given.
     */
    private AwsCredentials refreshedIfWithinMargin(RdsEndpoint endpoint, AwsCredentials current) {
        Instant expires = current.expirationTime().orElse(null);
        if (!(provider() instanceof IrsaCredentialsProvider p) || expires == null
                || expires.toEpochMilli() > clock.millis() + marginMillis) {
            return current;
        }
        try {
            return p.resolveCredentials(margin);
        } catch (SdkException e) {
            throw new RdsAuthTokenException("No AWS credentials to sign an RDS IAM authentication token for " + endpoint
                    + ": " + e.getMessage(), e);
        }
    }

    /** The floor: see the class comment for what is refused and why. */
    private void requireUsableCredentials(RdsEndpoint endpoint, AwsCredentials current, long nowMillis) {
        Instant expires = current.expirationTime().orElse(null);
        if (expires == null || expires.toEpochMilli() > nowMillis + marginMillis) {
            return;
        }
        AwsCredentialsProvider provider = provider();
        boolean irsa = provider instanceof IrsaCredentialsProvider;
        SessionState state = provider instanceof IrsaCredentialsProvider p ? p.state().orElse(null) : null;
        boolean failing = state != null && state.lastError() != null;
        // An IRSA session was just asked to refresh first: still within the margin means it could not.
        if (!irsa && expires.toEpochMilli() > nowMillis) {
            return;
        }
        StringBuilder m = new StringBuilder("No RDS IAM authentication token for ").append(endpoint)
                .append(": the credentials to sign it with expire at ").append(expires);
        if (expires.toEpochMilli() <= nowMillis) {
            m.append(", already past,");
        } else {
            m.append(", within the ").append(margin).append(" margin,");
        }
        if (state != null && state.clockAhead()) {
            // Served under the minimum refresh interval: valid at AWS, but a token signed on this clock would not be
            m.append(" by this machine's clock. This clock is most likely ahead of AWS's: the session's credentials"
                    + " looked expired or too short when they arrived (they are served while still valid at AWS), and a"
                    + " token signed now would carry this clock's time too. Check NTP on the node (chronyc tracking,"
                    + " timedatectl).");
            if (failing) {
                m.append(" The session's refresh fails meanwhile (").append(state.consecutiveFailures())
                        .append(" in a row; last error: ").append(state.lastError()).append(").");
            }
        } else if (failing) {
            m.append(" and the IRSA session for ").append(state.roleArn()).append(" cannot refresh them (")
                    .append(state.consecutiveFailures()).append(" failed refresh(es) in a row; last error")
                    .append(state.lastErrorCode() != null ? " " + state.lastErrorCode() : "").append(": ")
                    .append(state.lastError()).append("). A token signed now would expire before or soon after the"
                            + " database checks it; check STS's reachability and the role's trust policy.");
        } else if (irsa) {
            m.append(" and the IRSA session's refresh gave none that outlive the margin (it did not finish within the"
                    + " refresh policy's wait timeout, or the role's credentials do not live twice as long as the margin);"
                    + " check STS's latency and the margin.");
        } else {
            m.append(" and the credentials provider gave no newer ones.");
        }
        throw new RdsAuthTokenException(m.toString(), state);
    }

    private AwsCredentials currentCredentials(RdsEndpoint endpoint) {
        try {
            return provider().resolveCredentials();
        } catch (SdkException e) {
            throw new RdsAuthTokenException("No AWS credentials to sign an RDS IAM authentication token for " + endpoint
                    + ": " + e.getMessage(), e);
        }
    }

    private Signed sign(RdsEndpoint ep, AwsCredentials with) {
        long signedNanos = System.nanoTime();
        // Signed with the system clock, as RdsUtilities does (the database checks X-Amz-Date against real time); the
        // builder's clock only decides reuse. Whole seconds: X-Amz-Date has no fraction.
        Instant signedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String token = ep.isDsql()
                ? RdsTokenSigner.signDsql(ep.host(), ep.isDsqlAdmin(), ep.region(), with, signedAt)
                : RdsTokenSigner.sign(ep.host(), ep.port(), ep.user(), ep.region(), with, signedAt);
        signatures.incrementAndGet();
        Instant validUntil = signedAt.plus(TOKEN_LIFETIME);
        Instant credentialsExpire = with.expirationTime().orElse(null);
        if (credentialsExpire != null && credentialsExpire.isBefore(validUntil)) {
            validUntil = credentialsExpire;
        }
        log.debug("Signed an {} for {}, valid until {}", ep.isDsql() ? (ep.isDsqlAdmin() ? "Aurora DSQL DbConnectAdmin"
                : "Aurora DSQL DbConnect") + " token" : "RDS IAM authentication token", ep, validUntil);
        return new Signed(token, with, validUntil.toEpochMilli(), signedNanos);
    }

    /** Closes the credential provider if this created it, and ends {@link #tokenAsync}'s threads once idle. */
    @Override
    public void close() {
        ThreadPoolExecutor w;
        synchronized (this) {
            closed = true;
            w = waiters;
        }
        if (w != null) {
            w.shutdown(); // what was asked is still answered; the threads end then
        }
        cache.invalidateAll();
        AwsCredentialsProvider owned = ownsCredentials ? credentials : null;
        if (credentials instanceof DeferredCredentials d) {
            DeferredCredentials.Chosen chosen = d.chosenIfAny();
            owned = chosen != null && chosen.owned() ? chosen.provider() : null;
        }
        if (owned instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("Closing the credentials provider failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "RdsAuthTokens[endpoints=" + cache.estimatedSize() + ", signatures=" + signatures.get() + ", margin="
                + margin + ", credentials=" + (credentials instanceof DeferredCredentials d && d.chosenIfAny() == null
                ? "not chosen yet" : provider().getClass().getSimpleName()) + "]";
    }

    /** Configures {@link RdsAuthTokens}. Not thread-safe. */
    public static final class Builder {
        private AwsCredentialsProvider credentials;
        private Clock clock = Clock.systemUTC();
        private Duration margin = Duration.ofMinutes(3);
        private long maximumEndpoints = 1_000;

        private Builder() {}

        /**
         * The credentials to sign with; by default an {@link IrsaCredentialsProvider#create()} that
         * {@link RdsAuthTokens#close()} closes. A provider given here is not closed.
         *
         * @param provider the credentials provider
         * @return this builder
         */
        public Builder credentialsProvider(AwsCredentialsProvider provider) {
            this.credentials = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /**
         * The clock deciding whether a cached token is still safely valid; the system clock by default. A token is
         * always signed at the system clock's time (its {@code X-Amz-Date}, which the database checks), so another clock
         * is for tests that move time forward; a cached token is in any case reused for at most its lifetime less
         * the margin of elapsed time ({@link System#nanoTime()}), so a wall clock set back does not extend it.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How long a cached token must still be valid to be handed out again: covers clock skew and the time between
         * handing it out and the database checking it. Default 3 minutes, so a cached token is reused for up to 12
         * minutes. Credentials from an {@link IrsaCredentialsProvider} that expire within the margin are refreshed
         * before signing, and a token is refused ({@link RdsAuthTokenException}) when no credentials that outlive
         * the margin can be had; see the class comment.
         *
         * @param margin at least zero, less than 15 minutes
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder margin(Duration margin) {
            if (margin == null || margin.isNegative() || margin.compareTo(TOKEN_LIFETIME) >= 0) {
                throw new IllegalArgumentException("The margin must be at least zero and less than the token's 15-minute"
                        + " lifetime, got " + margin + ".");
            }
            this.margin = margin;
            return this;
        }

        /**
         * How many endpoints (host, port, user, region) to keep a token for; default 1000.
         *
         * @param maximum at least 1
         * @return this builder
         * @throws IllegalArgumentException if less than 1
         */
        public Builder maximumEndpoints(long maximum) {
            if (maximum < 1) {
                throw new IllegalArgumentException("maximumEndpoints must be at least 1, got " + maximum + ".");
            }
            this.maximumEndpoints = maximum;
            return this;
        }

        /** {@return the token source} */
        public RdsAuthTokens build() {
            return new RdsAuthTokens(this);
        }
    }
}
