package dev.irsa.core.internal;

import dev.irsa.core.CredentialSource;
import dev.irsa.core.IrsaCredentials;
import dev.irsa.core.IrsaException;
import dev.irsa.core.RefreshListener;
import dev.irsa.core.RefreshListener.Trigger;
import dev.irsa.core.RefreshPolicy;
import dev.irsa.core.SessionState;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credential engine: caches credentials, refreshes them ahead of expiry, survives STS failures.
 *
 * <h2>Design</h2>
 *
 * <p><b>State.</b> Everything callers need is one immutable {@link Snapshot} in a volatile field. Only the engine
 * writes it, always under {@code lock}; callers read it without locking.
 *
 * <p><b>Hot path.</b> While a snapshot is {@code fresh} its credentials are far from expiry and a timer is set to
 * end freshness, so {@link #credentials()} is one volatile read and a field test: no clock read (about 30 ns
 * here, more than the rest of the call), no allocation, no lock. Freshness ends when the timer fires at the
 * refresh point, which is at least half the advisory window (and so several mandatory windows) before expiry:
 * the timer thread only flips state and hands work to the refresh threads, so a slow STS call cannot delay
 * it. If a timer cannot be set (scheduler shut down) the snapshot is never fresh and every call checks the
 * clock, so a dead scheduler cannot make us hand out expired credentials.
 *
 * <p><b>Time the timers did not see.</b> Timers run on the monotonic clock, which stands still while a VM or host
 * is suspended and is carried over across a CRaC checkpoint/restore: after two hours asleep a timer still waits out
 * its whole delay. A watchdog ({@link Scheduler#watch}) compares, about once a second, when the timer will fire by
 * the monotonic clock with when it was meant to fire by the wall clock; when they diverge it re-arms the timer from
 * the wall clock, or, if the refresh point has passed, ends freshness and refreshes at once. Before a CRaC
 * checkpoint freshness is ended outright (so a restored process checks the clock on every call until the watchdog
 * re-arms), so a restore never serves expired credentials; a suspended host can for at most one watchdog period
 * after it resumes, and only when it slept past the refresh point.
 *
 * <p><b>Windows</b> (see {@link RefreshPolicy}). Advisory window: the background refresh starts at a random point
 * in its first half (a session's first refresh is spread over most of the first lifetime, so pods started
 * together fall out of step); callers keep getting the cached credentials. Mandatory window (1 min, at most a tenth of
 * the lifetime): callers wait, bounded, for the refresh in flight rather than take credentials about to
 * expire; if it fails they still get the cached credentials, which are valid until expiry.
 *
 * <p><b>Minimum refresh interval.</b> No exchange starts sooner than {@link RefreshPolicy#minimumRefreshInterval()}
 * after the session's last successful one, and meanwhile its credentials are served even if this machine's clock
 * says they are expired or in the mandatory window (AWS never issues credentials for less than 15 min, so they are
 * valid at AWS): a clock far ahead that nothing could detect costs one exchange per interval, not a loop. It is
 * kept in two places only: {@code decide} serves inside it, and the refresh point set after a success is never
 * earlier than its end. Credentials that looked expired or too short on arrival are served past this clock's expiry
 * until their horizon (arrival + 15 min - the mandatory window of 15 min), a time kept apart from the interval: a
 * refresh that fails at the interval's end backs off while they are still served, as any valid credentials are. Only
 * newly issued ones (a new access key, or an answer from STS) get a floor or a horizon when they look that short: the
 * same credentials handed back again (a caching endpoint) may really be that short and go by this clock. The 14 min
 * horizon needs proof they were freshly issued (an STS answer, a key replacing a held one): a session's first answer
 * from another endpoint is served past this clock's expiry only until the interval's end. A closed
 * session's {@link Kept} credentials are resumed within the interval too ({@link Kept#resumableAt}, the one rule),
 * so a session closed after every request does not cost an exchange per request. {@link #state()} counts what is
 * served as valid, as callers get it, and says when this clock is to blame ({@link SessionState#clockAhead()}).
 *
 * <p><b>One decision.</b> Off the hot path, what a caller gets (serve the cached credentials, serve them and start a
 * refresh nobody waits for, join or start a refresh and wait a bounded time, or fail at once) is decided in one
 * place, {@code decide(snapshot, now, minValidity)}. {@link #credentials()}, {@link #credentials(Duration)} and
 * {@link #credentialsAsync()} only differ in how they wait: blocking, blocking with a minimum validity, or through a
 * future. Snapshots are built by name ({@code toBuilder()}), so a change of one part never restates the others.
 *
 * <p><b>Single flight.</b> At most one refresh runs at a time ({@code inFlight}); every caller that needs one
 * joins it. The in-flight refresh is completed in a {@code finally} and cleared only if it is still the current
 * one; listeners run isolated (whatever they throw, {@code Error}s included, is logged and dropped). Each
 * snapshot has a generation: a timer or a caller acts only on the generation it saw, so a timer whose task was
 * already running when a refresh cancelled it does not start a second one. There is no timeout after which waiters call STS themselves: a waiter that gives up returns the
 * cached credentials (if still valid) or an error, never a second STS call.
 *
 * <p><b>Failures.</b> A failed refresh keeps the cached credentials, which are served until they really
 * expire. Retries follow a jittered exponential backoff, capped to half the time left before the mandatory
 * window (so several tries happen before it), to half the remaining life (so the last try lands before
 * expiry) and to {@code expiredBackoffMax} once nothing valid is held.
 * Callers without valid credentials get the last error at once until the next attempt is due, so an outage
 * costs one STS call per backoff step, not one per caller call. A non-recoverable error (trust policy, OIDC
 * provider, session policy) is handed out for {@code nonRecoverableErrorTtl} before a caller may try again. A
 * {@code CLOSED} failure from the exchange (a chained session whose source session was closed) is final: no
 * retries. Once a retry is due, a caller starts it without waiting for it, so a session without background
 * refresh still retries in the mandatory window. A refresh the pool rejects is a failure like any other: callers
 * holding valid credentials keep them.
 *
 * <p><b>Dependencies.</b> A refresh starts only when {@link CredentialExchange#ready()} completes (a chained session
 * waits, without a thread, for its source session's credentials), so a refresh thread never blocks on another
 * session. Callers of {@link #credentialsAsync()} that had to wait are completed on the scheduler's callback
 * threads, never on a refresh thread or the timer thread, so their continuations (SDK signing) neither run one after
 * another on ours nor hold up the timer that ends freshness.
 * Logging happens once per change of state, not per call.
 */
public final class RefreshEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("dev.irsa.core.IrsaSession");
    /** How far the timers may lag the wall clock before the watchdog re-arms them. */
    private static final long DRIFT_TOLERANCE_MILLIS = 1000;

    /**
     * Immutable state read by callers. Times are epoch milliseconds of the engine's clock. {@code timed}: a timer
     * will act at {@code nextAttemptAt}. {@code refreshing}: a refresh is in flight (set and cleared with
     * {@code inFlight}, under the lock). {@code generation} counts finished refreshes. Built by name only
     * ({@link #toBuilder()}); the canonical constructor is called in {@link Builder#build()} alone.
     */
    record Snapshot(IrsaCredentials credentials, long expiresAt, long mandatoryAt, long nextAttemptAt, boolean fresh,
                    boolean timed, boolean refreshing, IrsaException failure, int failures, long lastSuccessAt,
                    String subject, boolean expiryReported, boolean closed, long generation, long floorEnd,
                    long horizon) {
        static final Snapshot EMPTY = new Builder().build();

        /**
         * Whether no exchange may start at {@code now}: the last one succeeded less than the minimum refresh interval
         * ago ({@code floorEnd}: 0 when the interval does not govern these credentials). Its credentials are served
         * meanwhile. A clock stepped back past the success (NTP correcting a clock that was ahead) ends it: the clock
         * is then what the credentials are judged by.
         */
        boolean withinFloor(long now) {
            return credentials != null && failure == null && lastSuccessAt > 0 && now >= lastSuccessAt
                    && now < floorEnd;
        }

        /**
         * Whether these credentials looked expired or too short on arrival and are served past what this clock says
         * until {@code horizon}, whether or not refreshes fail meanwhile: for credentials known to be freshly issued
         * (an STS answer, a new key) their issue plus AWS's shortest lifetime, less its mandatory window; for a first
         * answer from another endpoint, the interval's end only. Not once the clock was stepped back past their
         * arrival.
         */
        boolean pastLocalExpiry(long now) {
            return horizon > 0 && credentials != null && now >= lastSuccessAt;
        }

        /** Until when (epoch ms, this clock) the credentials are served, as seen at {@code now}. */
        long servedUntil(long now) {
            return pastLocalExpiry(now) ? Math.max(expiresAt, horizon) : expiresAt;
        }

        /**
         * Where callers start waiting for a refresh rather than take the credentials, as seen at {@code now}: for
         * credentials served past this clock's expiry, the horizon itself (it already keeps a mandatory window clear).
         */
        long mandatoryFrom(long now) {
            return pastLocalExpiry(now) ? Math.max(expiresAt, horizon) : mandatoryAt;
        }

        /**
         * Whether these credentials are handed to callers at {@code now}: valid by this clock, within the minimum
         * refresh interval, or served past this clock's expiry up to their horizon.
         */
        boolean servableAt(long now) {
            return credentials != null && (now < servedUntil(now) || withinFloor(now));
        }

        Snapshot withFresh(boolean f) {
            return fresh == f ? this : toBuilder().fresh(f).build();
        }

        Snapshot notFresh() {
            return withFresh(false);
        }

        /** Whether a retry may be started now: due, and not a failure that must not be retried. */
        boolean retryDueAt(long now) {
            return failure != null && nextAttemptAt > 0 && now >= nextAttemptAt;
        }

        Builder toBuilder() {
            Builder b = new Builder();
            b.credentials = credentials;
            b.expiresAt = expiresAt;
            b.mandatoryAt = mandatoryAt;
            b.nextAttemptAt = nextAttemptAt;
            b.fresh = fresh;
            b.timed = timed;
            b.refreshing = refreshing;
            b.failure = failure;
            b.failures = failures;
            b.lastSuccessAt = lastSuccessAt;
            b.subject = subject;
            b.expiryReported = expiryReported;
            b.closed = closed;
            b.generation = generation;
            b.floorEnd = floorEnd;
            b.horizon = horizon;
            return b;
        }

        /** Sets parts by name; whatever is not set keeps the value of the snapshot it came from (or of EMPTY). */
        static final class Builder {
            private IrsaCredentials credentials;
            private long expiresAt;
            private long mandatoryAt;
            private long nextAttemptAt;
            private boolean fresh;
            private boolean timed;
            private boolean refreshing;
            private IrsaException failure;
            private int failures;
            private long lastSuccessAt;
            private String subject;
            private boolean expiryReported;
            private boolean closed;
            private long generation;
            private long floorEnd;
            private long horizon;

            /** The credentials held, with their expiry and the start of their mandatory window. */
            Builder credentials(IrsaCredentials c, long expiresAt, long mandatoryAt) {
                this.credentials = c;
                this.expiresAt = expiresAt;
                this.mandatoryAt = mandatoryAt;
                return this;
            }

            Builder nextAttemptAt(long t) {
                this.nextAttemptAt = t;
                return this;
            }

            Builder fresh(boolean f) {
                this.fresh = f;
                return this;
            }

            Builder timed(boolean t) {
                this.timed = t;
                return this;
            }

            Builder refreshing(boolean r) {
                this.refreshing = r;
                return this;
            }

            /** The last refresh's error (null after a success) and how many failed in a row. */
            Builder failure(IrsaException e, int inARow) {
                this.failure = e;
                this.failures = inARow;
                return this;
            }

            Builder lastSuccessAt(long t) {
                this.lastSuccessAt = t;
                return this;
            }

            Builder subject(String s) {
                this.subject = s;
                return this;
            }

            Builder expiryReported(boolean r) {
                this.expiryReported = r;
                return this;
            }

            Builder closed(boolean c) {
                this.closed = c;
                return this;
            }

            Builder generation(long g) {
                this.generation = g;
                return this;
            }

            /**
             * How the minimum refresh interval governs these credentials: no exchange before {@code floorEnd}, served
             * past this clock's expiry until {@code horizon} (each 0 for none).
             */
            Builder floor(long floorEnd, long horizon) {
                this.floorEnd = floorEnd;
                this.horizon = horizon;
                return this;
            }

            Snapshot build() {
                return new Snapshot(credentials, expiresAt, mandatoryAt, nextAttemptAt, fresh, timed, refreshing, failure,
                        failures, lastSuccessAt, subject, expiryReported, closed, generation, floorEnd, horizon);
            }
        }
    }

    /**
     * What a caller gets, decided once by {@link #decide} for every entry point; they differ only in how they wait.
     * {@code SERVE}: the snapshot's credentials. {@code SERVE_AND_REFRESH}: those, and a refresh started with
     * {@code trigger} that nobody waits for (then, if {@code newest}, the refresh's credentials if it finished at
     * once: the caller asked for a minimum validity). {@code WAIT}: join the refresh in flight or start one with
     * {@code trigger}, and wait at most {@code waitMillis}; {@code heldValid} says whether valid credentials were
     * held (then a timeout is not reported as one: they expired meanwhile). {@code FAIL}: {@code error} at once.
     */
    private record Decision(Action action, Trigger trigger, boolean newest, long waitMillis, boolean heldValid,
                            IrsaException error) {
        enum Action { SERVE, SERVE_AND_REFRESH, WAIT, FAIL }

        static final Decision SERVE = new Decision(Action.SERVE, null, false, 0, true, null);

        static Decision serveAndRefresh(Trigger trigger, boolean newest) {
            return new Decision(Action.SERVE_AND_REFRESH, trigger, newest, 0, true, null);
        }

        static Decision join(Trigger trigger, long waitMillis, boolean heldValid) {
            return new Decision(Action.WAIT, trigger, false, waitMillis, heldValid, null);
        }

        static Decision fail(IrsaException e) {
            return new Decision(Action.FAIL, null, false, 0, false, e);
        }
    }

    private final String roleArn;
    private final String source;
    private final URI endpoint;
    private final RefreshPolicy policy;
    /** {@link RefreshPolicy#minimumRefreshInterval()} in ms; 0 when off. */
    private final long floorMillis;
    /**
     * How long after their arrival credentials that looked expired or too short on arrival are served (when newly
     * issued): AWS's shortest lifetime (15 min) less its mandatory window, so they are still valid at AWS meanwhile.
     */
    private final long horizonMillis;
    private final Clock clock;
    private final RandomGenerator random;
    private final CredentialExchange exchange;
    private final Scheduler scheduler;
    private final Runnable onClose;
    /** How messages name these credentials, their refresh, session and issuer: IRSA and Pod Identity differ. */
    private final String credentialsOf;
    private final String refreshOf;
    private final String sessionOf;
    private final String issuer;
    private final Listeners listeners = new Listeners();
    private final LongAdder callersWaited = new LongAdder();
    /** Refreshes that succeeded / failed: counted here, not by listeners, so state() has them whoever listened. */
    private final LongAdder refreshes = new LongAdder();
    private final LongAdder failedRefreshes = new LongAdder();
    private final ClockSkew skew = new ClockSkew();
    /** Whether an earlier session's counts were added ({@link #carryCountsFrom}); at most once. Guarded by lock. */
    private boolean countsCarried;
    /** Set by {@link #handOverCounts()}: from then on nothing is counted here (a successor counts on). */
    private volatile boolean countsHandedOver;

    private volatile Snapshot snapshot = Snapshot.EMPTY;

    private final Object lock = new Object();
    private CompletableFuture<Snapshot> inFlight; // guarded by lock
    private Scheduler.Cancellable timer; // guarded by lock
    private Trigger timerTrigger; // guarded by lock
    private long timerDueWall; // guarded by lock; epoch ms by the engine's clock
    private long timerDueMono; // guarded by lock; Scheduler#nanoTime
    private boolean closed; // guarded by lock
    /** Between a CRaC checkpoint notice and the restore: nothing may make the snapshot fresh. Guarded by lock. */
    private boolean checkpointing;
    private final Scheduler.Cancellable watch;

    public RefreshEngine(String roleArn, URI endpoint, RefreshPolicy policy, Clock clock, RandomGenerator random,
                         CredentialExchange exchange, Scheduler scheduler, Runnable onClose) {
        this(roleArn, endpoint, policy, clock, random, exchange, scheduler, onClose, CredentialSource.WEB_IDENTITY);
    }

    /**
     * @param roleArn what the session is named by in messages and {@link SessionState#roleArn()}: the role, or for
     *                Pod Identity a description of the source
     * @param source  reported in {@link SessionState#source()}; changes nothing else (one engine for every source)
     */
    public RefreshEngine(String roleArn, URI endpoint, RefreshPolicy policy, Clock clock, RandomGenerator random,
                         CredentialExchange exchange, Scheduler scheduler, Runnable onClose, CredentialSource source) {
        this.source = Objects.requireNonNull(source).tag();
        this.roleArn = Objects.requireNonNull(roleArn);
        boolean pod = source == CredentialSource.POD_IDENTITY; // roleArn then names the source
        this.credentialsOf = pod ? roleArn + " credentials" : "IRSA credentials for " + roleArn;
        this.refreshOf = pod ? roleArn + " refresh" : "IRSA refresh for " + roleArn;
        this.sessionOf = pod ? roleArn + " session" : "IRSA session for " + roleArn;
        this.issuer = pod ? "the EKS Pod Identity agent" : "STS";
        this.endpoint = endpoint;
        this.policy = Objects.requireNonNull(policy);
        this.floorMillis = policy.minimumRefreshInterval().toMillis();
        this.horizonMillis = ClockSkew.SHORTEST_ISSUED.minus(policy.mandatoryWindow(ClockSkew.SHORTEST_ISSUED)).toMillis();
        this.clock = Objects.requireNonNull(clock);
        this.random = Objects.requireNonNull(random);
        this.exchange = Objects.requireNonNull(exchange);
        this.scheduler = Objects.requireNonNull(scheduler);
        this.onClose = onClose == null ? () -> { } : onClose;
        this.watch = scheduler.watch(new Scheduler.ClockWatcher() {
            @Override
            public void checkClock() {
                RefreshEngine.this.checkClock(false);
            }

            @Override
            public void beforeCheckpoint() {
                RefreshEngine.this.beforeCheckpoint();
            }

            @Override
            public void afterRestore() {
                RefreshEngine.this.checkClock(true);
            }
        });
    }

    /** Adds a listener; adding the same instance again only counts another holder of it (no double events). */
    public void addListener(RefreshListener l) {
        listeners.add(Objects.requireNonNull(l));
    }

    /** Removes one holder of a listener; it stops hearing events when its last holder removed it. */
    public void removeListener(RefreshListener l) {
        listeners.remove(l);
    }

    /**
     * Valid credentials. Non-blocking while cached credentials are outside the mandatory window; otherwise waits
     * for the refresh at most {@code waitTimeout} (and never past expiry when valid credentials are held).
     *
     * @throws IrsaException when no valid credentials can be had
     */
    public IrsaCredentials credentials() {
        Snapshot s = snapshot;
        if (s.fresh) {
            return s.credentials;
        }
        return obtain(s, Duration.ZERO);
    }

    /**
     * Valid credentials that, if at all possible, stay valid for at least {@code minValidity}: for callers that hand
     * something signed with them to a third party that checks it later (an RDS IAM token). When the held credentials
     * are valid that long, this is {@link #credentials()}. Otherwise a refresh starts now (or the one in flight is
     * joined) and is waited for at most {@code waitTimeout}, never past the held credentials' expiry; the best valid
     * credentials are returned then, which may still be shorter than asked: the caller checks.
     *
     * <p>No STS storm, whatever is asked: {@code minValidity} is clamped to half the life the held credentials had
     * when they were obtained, so credentials just obtained always satisfy it and a caller asking for more than any
     * credentials can give starts at most one refresh per half their life (as the mandatory window does, a source
     * that hands back the same credentials again halves that, it never turns into a call per caller). While the
     * engine backs off after a failed refresh no refresh is started: this answers as {@link #credentials()} does
     * until the next retry is due. Without valid credentials it is {@link #credentials()}.
     *
     * <p>Within the {@linkplain RefreshPolicy#minimumRefreshInterval() minimum refresh interval} after a successful
     * exchange the credentials it obtained are served, however short this machine's clock says they are: they
     * cannot be that short at AWS (it never issues less than 15 min, so they have 10 min or more left), the caller
     * could get nothing better (another exchange would return credentials the same clock sees as just as short), and
     * failing instead would leave an application on a node whose clock is ahead with no credentials at all while
     * AWS would accept them. The session's one WARN names the skew; a caller that checks the expiry itself against
     * this clock (an RDS token's margin) decides for itself.
     *
     * @param minValidity how long the credentials should stay valid; zero or negative asks for nothing more
     * @throws IrsaException when no valid credentials can be had
     */
    public IrsaCredentials credentials(Duration minValidity) {
        Objects.requireNonNull(minValidity, "minValidity");
        return obtain(snapshot, minValidity);
    }

    /**
     * Like {@link #credentials()} but never blocks: completes at once when credentials are cached, otherwise
     * when the refresh in flight completes (then on the scheduler's callback threads, never on a refresh thread or
     * the timer thread).
     */
    public CompletableFuture<IrsaCredentials> credentialsAsync() {
        Snapshot s = snapshot;
        if (s.fresh) {
            return CompletableFuture.completedFuture(s.credentials);
        }
        long now = clock.millis();
        Decision d = decide(s, now, Duration.ZERO);
        switch (d.action()) {
            case SERVE_AND_REFRESH:
                return CompletableFuture.completedFuture(serveAndRefresh(s, d, now));
            case SERVE:
                return CompletableFuture.completedFuture(s.credentials);
            case FAIL:
                return CompletableFuture.failedFuture(d.error());
            default:
                return onCallerSide(startRefresh(d.trigger(), true, s.generation), d.waitMillis(),
                        r -> afterWaiting(r, d));
        }
    }

    /** The blocking entry points: what {@link #decide} says, waiting on this thread when it says wait. */
    private IrsaCredentials obtain(Snapshot s, Duration minValidity) {
        long now = clock.millis();
        Decision d = decide(s, now, minValidity);
        switch (d.action()) {
            case SERVE_AND_REFRESH:
                return serveAndRefresh(s, d, now);
            case SERVE:
                return s.credentials;
            case FAIL:
                throw d.error();
            default:
                return afterWaiting(await(startRefresh(d.trigger(), true, s.generation), d.waitMillis()), d);
        }
    }

    /**
     * The one place that decides what a caller holding snapshot {@code s} at {@code now} gets; {@code minValidity}
     * (zero for none) is how long the caller wants the credentials to stay valid. In order:
     * <ul>
     *   <li>closed: fail;</li>
     *   <li>within the minimum refresh interval after a successful exchange: serve its credentials, even if this
     *       clock says they are expired, in the mandatory window or too short for the caller (no exchange may
     *       start; see {@link RefreshPolicy#minimumRefreshInterval()});</li>
     *   <li>below, "valid" and "expiry" are by this clock, except for credentials that looked expired or too short on
     *       arrival and were newly issued (a new access key, or an answer from STS): they are valid until their
     *       horizon, AWS's shortest lifetime less its mandatory window after they arrived, whether refreshes fail
     *       or not, and have no other mandatory window (a clock far ahead; see {@code succeeded});</li>
     *   <li>valid, outside the mandatory window and long enough for the caller: serve, starting the refresh if
     *       its point (or a retry) is due and no timer did (a late or missing timer);</li>
     *   <li>valid but in the mandatory window or too short for the caller, after a failed refresh (backing off):
     *       serve, starting a due retry that nobody waits for; in the mandatory window wait for a retry already
     *       in flight, or, for a caller the credentials are too short for, start a due retry and wait for it (never
     *       past expiry);</li>
     *   <li>valid but in the mandatory window or too short for the caller: join or start a refresh and wait for
     *       it, never past expiry;</li>
     *   <li>nothing valid, backing off after a failure: the last error at once;</li>
     *   <li>nothing valid: join or start a refresh and wait at most {@code waitTimeout}.</li>
     * </ul>
     */
    private Decision decide(Snapshot s, long now, Duration minValidity) {
        if (s.closed) {
            return Decision.fail(closedException());
        }
        if (s.withinFloor(now)) {
            return Decision.SERVE;
        }
        // Credentials served past this clock's expiry count as valid until their horizon, with no mandatory window
        // before it but the one the horizon keeps clear: the same rules then apply to them as to any others.
        long expiresAt = s.servedUntil(now);
        if (now >= expiresAt) {
            if (s.failure != null && !s.retryDueAt(now)) {
                return Decision.fail(unavailable(s, now));
            }
            Trigger t = s.credentials == null && s.failure == null ? Trigger.INITIAL : Trigger.CALLER;
            return Decision.join(t, policy.waitTimeout().toMillis(), false);
        }
        boolean mandatory = now >= s.mandatoryFrom(now);
        boolean tooShort = !minValidity.isZero()
                && expiresAt - now < clampedMinValidity(s, expiresAt, minValidity, now);
        long waitBound = Math.min(policy.waitTimeout().toMillis(), expiresAt - now); // never past expiry
        if (!mandatory && !tooShort) {
            return s.nextAttemptAt > 0 && now >= s.nextAttemptAt
                    ? Decision.serveAndRefresh(s.failure == null ? Trigger.SCHEDULED : Trigger.RETRY, false)
                    : Decision.SERVE;
        }
        if (s.failure != null) {
            // In the mandatory window a caller joins the retry in flight; one that asked for a minimum validity
            // also starts a due retry and waits for it (what it needs is the retry's credentials, not seconds-long
            // ones). A plain caller does not: it is served and the retry goes on without it.
            if (mandatory && (s.refreshing || (tooShort && s.retryDueAt(now)))) {
                return Decision.join(Trigger.RETRY, waitBound, true);
            }
            // Backing off: a due retry is started (not waited for), so retries go on even with no timer
            return s.retryDueAt(now) ? Decision.serveAndRefresh(Trigger.RETRY, tooShort) : Decision.SERVE;
        }
        return Decision.join(Trigger.CALLER, waitBound, true);
    }

    /**
     * Starts the refresh nobody waits for, then serves the credentials the caller decided on, or for a caller that
     * asked for a minimum validity the refresh's if it finished at once.
     */
    private IrsaCredentials serveAndRefresh(Snapshot s, Decision d, long now) {
        startRefresh(d.trigger(), false, s.generation);
        Snapshot latest = d.newest() ? snapshot : s;
        return latest.servableAt(now) ? latest.credentials : s.credentials;
    }

    /** What a caller that waited gets: the refresh's credentials, else the latest valid ones, else why none. */
    private IrsaCredentials afterWaiting(Snapshot r, Decision d) {
        long now = clock.millis();
        if (r != null && r.servableAt(now)) {
            return r.credentials;
        }
        Snapshot latest = snapshot;
        if (latest.servableAt(now)) {
            return latest.credentials;
        }
        if (r == null && !d.heldValid()) {
            throw timedOut(latest);
        }
        throw unavailable(r != null ? r : latest, now);
    }

    /**
     * {@code minValidity} capped to half the life the held credentials had when obtained ({@code lastSuccessAt}; a
     * failed refresh keeps it), so a refresh that returns credentials always ends the caller's demand for one.
     */
    private static long clampedMinValidity(Snapshot s, long expiresAt, Duration minValidity, long now) {
        long obtainedAt = s.lastSuccessAt > 0 && s.lastSuccessAt <= now ? s.lastSuccessAt : now;
        long lifetime = Math.max(0, expiresAt - obtainedAt);
        long asked;
        try {
            asked = minValidity.isNegative() ? 0 : minValidity.toMillis();
        } catch (ArithmeticException tooLong) {
            asked = Long.MAX_VALUE; // clamped below anyway
        }
        return Math.min(asked, lifetime / 2);
    }

    /**
     * Already done: answer here. Otherwise answer when the refresh completes or after {@code timeoutMillis} (with
     * null), whichever comes first, on the scheduler's callback threads: never on a refresh thread or the timer
     * thread, so callers' continuations (SDK signing) neither run one after another on ours nor delay timers.
     */
    private CompletableFuture<IrsaCredentials> onCallerSide(CompletableFuture<Snapshot> f, long timeoutMillis,
                                                          Function<Snapshot, IrsaCredentials> answer) {
        if (f.isDone()) {
            return f.thenApply(answer);
        }
        CompletableFuture<IrsaCredentials> out = new CompletableFuture<>();
        Runnable onTimeout = () -> answerOnCallbackThread(out, () -> answer.apply(null));
        Scheduler.Cancellable deadline;
        try {
            deadline = scheduler.schedule(onTimeout, Duration.ofMillis(Math.max(1, timeoutMillis)));
        } catch (RejectedExecutionException e) {
            deadline = () -> { };
        }
        Scheduler.Cancellable d = deadline;
        f.whenComplete((r, e) -> {
            d.cancel();
            answerOnCallbackThread(out, () -> answer.apply(r));
        });
        return out;
    }

    private void answerOnCallbackThread(CompletableFuture<IrsaCredentials> out, Supplier<IrsaCredentials> answer) {
        Runnable task = () -> {
            if (out.isDone()) {
                return;
            }
            try {
                out.complete(answer.get());
            } catch (Throwable e) {
                out.completeExceptionally(e);
            }
        };
        try {
            scheduler.callbacks().execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /**
     * What a closed session leaves for the next session of the same configuration: its credentials, when they were
     * obtained and when their refresh was due, until when no exchange may start ({@code floorEnd}, the minimum
     * refresh interval; 0 when it does not govern them) and until when they are served past this clock's expiry
     * ({@code horizon}; 0 for none), all epoch ms by the engine's clock, so the next session goes on with the
     * original schedule, windows and floor. Made only by {@link #kept()}; taken up only by {@link #seed(Kept)}, by
     * the one rule {@link #resumableAt}. Plain data; its {@code toString} masks the credentials as theirs does.
     */
    public record Kept(IrsaCredentials credentials, long obtainedAt, long refreshAt, long floorEnd, long horizon) {
        public Kept {
            Objects.requireNonNull(credentials, "credentials");
            if (obtainedAt <= 0 || refreshAt <= 0) {
                // without them the lifetime would be taken as the time left, and any unexpired credentials would pass
                throw new IllegalArgumentException("kept credentials need when they were obtained and their refresh point");
            }
            if (floorEnd < 0 || horizon < 0) {
                throw new IllegalArgumentException("a floor's end and horizon are times, or 0 for none");
            }
        }

        /**
         * The resumption rule: whether {@link #seed(Kept)} takes them up at {@code now}, that is whether the session
         * that left them would have served them without an exchange: within the minimum refresh interval after they
         * were obtained (whatever this clock says of them: a clock far ahead, a session closed after every request
         * must not cost an exchange per request), or valid past the mandatory window of their real lifetime
         * (obtained to expiry).
         */
        public boolean resumableAt(RefreshPolicy policy, long now) {
            return (now >= obtainedAt && now < floorEnd) || now < mandatoryAt(policy);
        }

        private long mandatoryAt(RefreshPolicy policy) {
            long exp = credentials.expiration().toEpochMilli();
            return exp - policy.mandatoryWindow(Duration.ofMillis(Math.max(0, exp - obtainedAt))).toMillis();
        }
    }

    /**
     * Adopts what an earlier session of the same configuration left ({@link #kept()}), as if that session had gone
     * on: the refresh is due at the original point (or now, if that has passed), and the mandatory window and the
     * {@link #credentials(Duration)} clamp are worked out from the credentials' real lifetime, so a session closed
     * and opened again every minute still refreshes in the advisory window. Only into a session that has done nothing
     * yet, and only when {@link Kept#resumableAt} holds; otherwise nothing happens and the first caller asks STS.
     */
    public void seed(Kept k) {
        if (k == null) {
            return;
        }
        IrsaCredentials c = k.credentials();
        synchronized (lock) {
            Snapshot s = snapshot;
            long now = clock.millis();
            if (closed || s.generation != 0 || inFlight != null || !k.resumableAt(policy, now)) {
                return;
            }
            long exp = c.expiration().toEpochMilli();
            long refreshAt = Math.max(now, k.refreshAt());
            boolean timed = policy.backgroundRefresh() && setTimer(refreshAt - now, Trigger.SCHEDULED, 1);
            snapshot = Snapshot.EMPTY.toBuilder().credentials(c, exp, k.mandatoryAt(policy)).nextAttemptAt(refreshAt)
                    .fresh(timed && !checkpointing).timed(timed).lastSuccessAt(k.obtainedAt())
                    .floor(k.floorEnd(), k.horizon()).generation(1).build();
        }
        log.debug("IRSA session for {} took up the credentials of its previous session (they expire at {} by this"
                + " clock)", roleArn, c.expiration());
    }

    /**
     * What a later session of the same configuration may {@link #seed(Kept)} from: the credentials this session
     * holds now with when they were obtained and when their refresh is due; null when it has none, is closed, or its
     * last refresh failed (the next session then asks STS at once rather than forget the failure behind them).
     */
    public Kept kept() {
        Snapshot s = snapshot;
        if (s.closed || s.credentials == null || s.failure != null || s.lastSuccessAt <= 0 || s.nextAttemptAt <= 0) {
            return null;
        }
        return new Kept(s.credentials, s.lastSuccessAt, s.nextAttemptAt, s.floorEnd, s.horizon);
    }

    /** A session's counts, as {@link #state()} reports them: handed from a closed session to its successor. */
    public record Counts(long refreshes, long failedRefreshes, long callersWaited) {
    }

    /**
     * This session's counts, for the successor that goes on counting from them ({@link #carryCounts}); nothing is
     * counted here afterwards (the session is closing: an outcome still under way is dropped as {@link #close()}
     * drops it), so what is handed over is all there is, and carried once by whoever took it.
     */
    public Counts handOverCounts() {
        synchronized (lock) {
            countsHandedOver = true;
            return new Counts(refreshes.sum(), failedRefreshes.sum(), callersWaited.sum());
        }
    }

    /**
     * Goes on counting from a closed session of the same configuration whose counts were handed over
     * ({@link #handOverCounts()}): they are added to this session's, so what {@link #state()} reports, and the meters
     * that read it (monotonic counters), never goes back. The caller hands each over once (the registry does, for
     * shared sessions, when it replaces a closed engine of the same key).
     */
    public void carryCounts(Counts earlier) {
        if (earlier == null) {
            return;
        }
        synchronized (lock) {
            refreshes.add(earlier.refreshes());
            failedRefreshes.add(earlier.failedRefreshes());
            callersWaited.add(earlier.callersWaited());
        }
    }

    /**
     * Goes on counting from {@code earlier}, a session of its own this one takes over from (a provider closed and
     * taken up again; shared sessions are carried by the registry instead): its refreshes, failed refreshes and
     * waiting callers are added to this session's. Whether or not its credentials could be taken up. At most once per
     * engine, and never from itself.
     */
    public void carryCountsFrom(RefreshEngine earlier) {
        if (earlier == null || earlier == this) {
            return;
        }
        synchronized (lock) {
            if (countsCarried) {
                return;
            }
            countsCarried = true;
        }
        carryCounts(new Counts(earlier.refreshes.sum(), earlier.failedRefreshes.sum(), earlier.callersWaited.sum()));
    }

    /** Fetches credentials now and waits (bounded); for eager start. */
    public void start() {
        credentials();
    }

    /** A consistent view for health checks. */
    public SessionState state() {
        Snapshot s = snapshot;
        long now = clock.millis();
        SessionState.Status status;
        if (s.closed) {
            status = SessionState.Status.CLOSED;
        } else if (s.credentials == null && s.failure == null) {
            status = SessionState.Status.NOT_STARTED;
        } else if (s.servableAt(now)) { // what callers are served, as they are served it
            status = s.failure == null ? SessionState.Status.VALID : SessionState.Status.DEGRADED;
        } else {
            status = SessionState.Status.FAILING;
        }
        IrsaException f = s.failure;
        return new SessionState(status, roleArn, endpoint,
                s.credentials == null ? null : Instant.ofEpochMilli(s.expiresAt),
                s.lastSuccessAt == 0 ? null : Instant.ofEpochMilli(s.lastSuccessAt),
                f == null ? null : f.getMessage(), f == null ? null : f.kind(),
                f == null ? null : f.stsErrorCode().orElse(null), s.failures, s.subject, callersWaited.sum(), source,
                refreshes.sum(), failedRefreshes.sum(), s.credentials != null && s.horizon > 0);
    }

    // --------------------------------------------------------------------------------------------------------

    /**
     * Joins the refresh in flight or starts one. {@code observedGeneration} is the generation of the snapshot the
     * caller or timer decided on: if a refresh has finished since, it gets the new state instead of a second STS call.
     */
    private CompletableFuture<Snapshot> startRefresh(Trigger trigger, boolean callerWaiting, long observedGeneration) {
        CompletableFuture<Snapshot> f;
        int attempts;
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.completedFuture(snapshot);
            }
            if (inFlight != null) {
                return inFlight;
            }
            if (snapshot.generation != observedGeneration) {
                return CompletableFuture.completedFuture(snapshot);
            }
            cancelTimer();
            snapshot = snapshot.toBuilder().fresh(false).refreshing(true).build();
            f = new CompletableFuture<>();
            inFlight = f;
            attempts = callerWaiting ? policy.maxAttempts() : 1;
        }
        launch(f, trigger, attempts);
        return f;
    }

    /**
     * Starts the refresh once the exchange is ready, on a refresh thread (a failed {@code ready()} is recorded there
     * too, so listeners never run on the timer thread). Never throws; always completes {@code f}.
     */
    private void launch(CompletableFuture<Snapshot> f, Trigger trigger, int attempts) {
        CompletableFuture<?> ready;
        try {
            ready = exchange.ready();
        } catch (RuntimeException e) {
            ready = CompletableFuture.failedFuture(e);
        }
        ready.whenComplete((ignored, error) -> {
            Runnable work = error == null ? () -> refresh(f, trigger, attempts)
                    : () -> complete(f, () -> failed(f, asIrsaException(unwrap(error)), trigger, System.nanoTime()));
            try {
                scheduler.execute(work);
            } catch (RuntimeException e) {
                long t0 = System.nanoTime();
                complete(f, () -> failed(f, new IrsaException(IrsaException.Kind.RETRYABLE, null, "The IRSA refresh pool"
                        + " rejected a refresh of " + roleArn + " (" + e + "); cached credentials are served while valid and"
                        + " the refresh is retried with backoff.", e), trigger, t0));
            }
        });
    }

    private void onTimer(Trigger trigger, long generation) {
        startRefresh(trigger, false, generation);
    }

    private void refresh(CompletableFuture<Snapshot> f, Trigger trigger, int attempts) {
        if (f.isDone()) {
            return; // closed before it started: no STS call, no events
        }
        long t0 = System.nanoTime();
        complete(f, () -> {
            listeners.notify(l -> l.onRefreshStarted(new RefreshListener.Started(roleArn, trigger, clock.instant())));
            try {
                ExchangeResult r = exchange.exchange(attempts);
                return succeeded(f, r, trigger, t0);
            } catch (IrsaException e) {
                return failed(f, e, trigger, t0);
            } catch (RuntimeException | Error e) {
                return failed(f, new IrsaException(IrsaException.Kind.RETRYABLE, null, "Unexpected "
                        + e.getClass().getName() + " while refreshing IRSA credentials", e), trigger, t0);
            }
        });
    }

    /**
     * Runs the outcome and completes {@code f} whatever happens, so no caller can be left waiting on a refresh that
     * died; the refresh stops being the one in flight only if it still is.
     */
    private void complete(CompletableFuture<Snapshot> f, Supplier<Snapshot> outcome) {
        Snapshot result = null;
        try {
            result = outcome.get();
        } catch (Throwable e) {
            log.error("{} failed unexpectedly", refreshOf, e);
        } finally {
            synchronized (lock) {
                if (inFlight == f) {
                    inFlight = null;
                    snapshot = snapshot.toBuilder().refreshing(false).build(); // the outcome died before recording it
                }
            }
            f.complete(result != null ? result : snapshot);
        }
    }

    /**
     * Records a successful exchange. The minimum refresh interval governs what it obtained (no exchange before the
     * interval's end), and credentials that look too short for it, or expired, on arrival are served past this
     * clock's expiry until their horizon (a clock far ahead: they are valid at AWS, which never issues less than
     * 15 min), but only when they are known to be freshly issued: an answer from STS, or a new access key replacing
     * a held one. A session's first answer from another endpoint (an agent, a caching sidecar) carries no such proof:
     * it gets the floor, and is served past this clock's expiry only until the interval's end. The same credentials
     * handed back again (an endpoint that serves cached ones: an ECS agent, a sidecar) may really be that short:
     * they go by the old rules, this clock's expiry and no floor, so a refresh may start before they expire.
     */
    private Snapshot succeeded(CompletableFuture<Snapshot> f, ExchangeResult issued, Trigger trigger, long t0) {
        long now = clock.millis();
        IrsaCredentials held = snapshot.credentials; // only refreshes change it, and this is the one in flight
        boolean newlyIssued = issued.requestedLifetime() != null || held == null
                || !held.accessKeyId().equals(issued.credentials().accessKeyId());
        long asIssued = issued.credentials().expiration().toEpochMilli() - now;
        long exp = skew.localExpiry(issued, now, log, issuer + " at " + endpoint,
                newlyIssued && floored(asIssued) ? policy.minimumRefreshInterval() : null);
        boolean pastLocalExpiry = newlyIssued && floored(exp - now);
        if (exp <= now && !pastLocalExpiry) {
            throw new IrsaException(IrsaException.Kind.RETRYABLE, null, issuer + " returned credentials that expire at "
                    + issued.credentials().expiration() + ", which is already past by this machine's clock ("
                    + Instant.ofEpochMilli(now) + ")" + (newlyIssued ? ". The clock is probably wrong: check NTP."
                    : ", the same ones as before: it hands back cached credentials it does not renew; check "
                    + endpoint + " and this machine's clock (NTP)."), null);
        }
        // Governed by the interval unless they go by the old rules: the same short credentials handed back again
        boolean governed = floorMillis > 0 && (newlyIssued || !floored(exp - now));
        long floorEnd = governed ? now + floorMillis : 0;
        // Only credentials known to be freshly issued (an STS answer, or a key that replaced a held one) are valid at
        // AWS for its shortest lifetime: they earn the horizon. A first answer from another endpoint (an agent, a
        // caching sidecar) may be cached credentials really that short: served past this clock's expiry only within
        // the interval itself.
        boolean provenFresh = issued.requestedLifetime() != null
                || (held != null && !held.accessKeyId().equals(issued.credentials().accessKeyId()));
        long horizon = !pastLocalExpiry ? 0 : provenFresh ? now + horizonMillis : Math.max(floorEnd, now);
        ExchangeResult r = onLocalClock(issued, exp);
        // Credentials that look expired on arrival (a clock far ahead) have no lifetime here: the floor governs
        Duration lifetime = Duration.ofMillis(Math.max(0, exp - now));
        long mandatoryAt = exp - policy.mandatoryWindow(lifetime).toMillis();
        Snapshot prev;
        Snapshot next;
        synchronized (lock) {
            prev = snapshot;
            if (inFlight == f) {
                inFlight = null;
            }
            if (closed) {
                return prev;
            }
            long generation = prev.generation + 1;
            long refreshAt = exp - (prev.lastSuccessAt == 0 ? policy.firstRefreshLead(lifetime, random)
                    : policy.refreshLead(lifetime, random)).toMillis();
            refreshAt = Math.max(refreshAt, Math.max(now + policy.refreshFloor(lifetime).toMillis(), floorEnd));
            boolean timed = policy.backgroundRefresh() && setTimer(refreshAt - now, Trigger.SCHEDULED, generation);
            next = Snapshot.EMPTY.toBuilder().credentials(r.credentials(), exp, mandatoryAt).nextAttemptAt(refreshAt)
                    .fresh(timed && !checkpointing).timed(timed).lastSuccessAt(now)
                    .subject(r.token() == null ? prev.subject : r.token().subject()).floor(floorEnd, horizon)
                    .generation(generation).build();
            snapshot = next;
            if (!countsHandedOver) {
                refreshes.increment();
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (prev.failure != null) {
            log.info("{} refreshed after {} failed attempt(s); they expire at {}", credentialsOf,
                    prev.failures, r.credentials().expiration());
        } else if (prev.credentials == null) {
            log.info("{} obtained from {} in {} ms; they expire at {}", credentialsOf, endpoint,
                    took.toMillis(), r.credentials().expiration());
        } else {
            log.debug("{} refreshed; they expire at {}", credentialsOf, r.credentials().expiration());
        }
        listeners.notify(l -> l.onRefreshSucceeded(new RefreshListener.Succeeded(roleArn, trigger, took,
                r.credentials().expiration(), r.stsCalls())));
        return next;
    }

    /**
     * {@code r} with its credentials expiring at {@code localExpiry}: after a skew correction, what callers get (and
     * compare with this machine's clock: the SDK's {@code expirationTime}, an RDS token's margin, a kept session)
     * must expire when {@link #state()} says, not at STS's time.
     */
    private static ExchangeResult onLocalClock(ExchangeResult r, long localExpiry) {
        IrsaCredentials c = r.credentials();
        if (c.expiration().toEpochMilli() == localExpiry) {
            return r;
        }
        IrsaCredentials local = new IrsaCredentials(c.accessKeyId(), c.secretAccessKey(), c.sessionToken(),
                Instant.ofEpochMilli(localExpiry), c.assumedRoleArn(), c.accountId());
        return new ExchangeResult(local, r.token(), r.stsCalls(), r.serverTime(), r.requestedLifetime());
    }

    /**
     * Whether credentials that look {@code lifetimeMillis} long on arrival are governed by the minimum refresh
     * interval: they would enter their mandatory window (or expire) before it ends, so {@code decide} will serve them
     * past what this clock says and the refresh point is the interval's end.
     */
    private boolean floored(long lifetimeMillis) {
        if (floorMillis == 0) {
            return false;
        }
        long l = Math.max(0, lifetimeMillis);
        return l - policy.mandatoryWindow(Duration.ofMillis(l)).toMillis() < floorMillis;
    }

    private Snapshot failed(CompletableFuture<Snapshot> f, IrsaException e, Trigger trigger, long t0) {
        long now = clock.millis();
        Snapshot prev;
        Snapshot next;
        long delay;
        boolean valid;
        synchronized (lock) {
            prev = snapshot;
            if (inFlight == f) {
                inFlight = null;
            }
            if (closed) {
                return prev;
            }
            long generation = prev.generation + 1;
            valid = prev.servableAt(now);
            int failures = prev.failures + 1;
            boolean terminal = e.kind() == IrsaException.Kind.CLOSED;
            boolean nonRecoverable = e.kind() == IrsaException.Kind.NON_RECOVERABLE
                    || e.kind() == IrsaException.Kind.CONFIGURATION;
            if (terminal) {
                delay = Long.MAX_VALUE / 2; // nothing to retry against
            } else if (nonRecoverable && !valid) {
                delay = policy.nonRecoverableErrorTtl().toMillis();
            } else {
                Duration untilMandatory = valid ? Duration.ofMillis(prev.mandatoryFrom(now) - now) : null;
                Duration untilExpiry = valid ? Duration.ofMillis(prev.servedUntil(now) - now) : null;
                delay = policy.backoff(failures, untilMandatory, untilExpiry, random).toMillis();
            }
            // Without valid credentials a broken setup is retried only when a caller asks (no silent STS traffic).
            boolean timed = !terminal && policy.backgroundRefresh() && (valid || !nonRecoverable)
                    && setTimer(delay, Trigger.RETRY, generation);
            if (!timed) {
                cancelTimer();
            }
            next = prev.toBuilder().nextAttemptAt(now + delay).fresh(false).timed(timed).refreshing(false)
                    .failure(e, failures).expiryReported(prev.expiryReported || (!valid && prev.credentials != null))
                    .generation(generation).build();
            snapshot = next;
            if (!countsHandedOver) {
                failedRefreshes.increment();
            }
        }
        logFailure(prev, next, e, valid, delay);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        boolean stillValid = valid;
        long nextIn = delay;
        listeners.notify(l -> l.onRefreshFailed(new RefreshListener.Failed(roleArn, trigger, took, e.kind(),
                e.stsErrorCode().orElse(null), e.getMessage(), next.failures, stillValid, Duration.ofMillis(nextIn))));
        return next;
    }

    private void logFailure(Snapshot prev, Snapshot next, IrsaException e, boolean valid, long delay) {
        boolean changed = prev.failure == null || prev.failure.kind() != e.kind()
                || !Objects.equals(prev.failure.stsErrorCode(), e.stsErrorCode());
        long now = clock.millis();
        if (!valid && prev.credentials != null && !prev.expiryReported) {
            log.error("{} {} and could not be refreshed ({} failed attempt(s)); callers"
                    + " get errors until {} answers. Last error: {}", credentialsOf, expiredSince(prev),
                    next.failures, issuer, e.getMessage());
        } else if (changed) {
            if (valid) {
                log.warn("{} failed; serving cached credentials valid until {}{}; next attempt in {} ms: {}",
                        refreshOf, Instant.ofEpochMilli(prev.servedUntil(now)), prev.pastLocalExpiry(now)
                                ? " (by AWS's shortest lifetime: this machine's clock is most likely ahead; check NTP)"
                                : "", delay, e.getMessage());
            } else {
                log.warn("{} unavailable: {}", credentialsOf, e.getMessage());
            }
        } else {
            log.debug("{} failed again ({} in a row): {}", refreshOf, next.failures, e.getMessage());
        }
    }

    /** Must hold lock. Returns whether a timer is set. */
    private boolean setTimer(long delayMillis, Trigger trigger, long generation) {
        cancelTimer();
        long delay = Math.max(0, delayMillis);
        try {
            timer = scheduler.schedule(() -> onTimer(trigger, generation), Duration.ofMillis(delay));
            timerTrigger = trigger;
            timerDueWall = clock.millis() + delay;
            timerDueMono = scheduler.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
            return true;
        } catch (RejectedExecutionException e) {
            log.warn("IRSA scheduler rejected a refresh timer for {}; credentials are checked on every call instead",
                    roleArn);
            return false;
        }
    }

    /** Must hold lock. */
    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /**
     * The watchdog: if the timer will fire later by the monotonic clock than it was meant to by the wall clock (a
     * suspended VM or host, a restored checkpoint), re-arm it from the wall clock, or act now if it is overdue.
     * {@code restored}: after a checkpoint restore, re-arm whatever the drift and give freshness back.
     */
    private void checkClock(boolean restored) {
        Trigger due = null;
        long generation;
        synchronized (lock) {
            Snapshot s = snapshot;
            if (restored) {
                checkpointing = false;
            }
            if (closed || timer == null) {
                return;
            }
            long now = clock.millis();
            long wallLeft = timerDueWall - now;
            long monoLeft = TimeUnit.NANOSECONDS.toMillis(timerDueMono - scheduler.nanoTime());
            if (!restored && monoLeft - wallLeft <= DRIFT_TOLERANCE_MILLIS) {
                return;
            }
            if (checkpointing) {
                return; // the restore re-arms
            }
            generation = s.generation;
            if (wallLeft <= 0) {
                log.info("{} timer is {} ms overdue by the wall clock (the process or its host was"
                        + " suspended, or restored from a checkpoint); refreshing now", refreshOf, -wallLeft);
                snapshot = s.notFresh();
                due = timerTrigger;
            } else {
                Trigger t = timerTrigger;
                if (setTimer(wallLeft, t, generation)) {
                    snapshot = s.withFresh(s.timed && s.failure == null && s.servableAt(now));
                } else {
                    snapshot = s.notFresh();
                }
            }
        }
        if (due != null) {
            startRefresh(due, false, generation);
        }
    }

    /** Ends freshness before a checkpoint, so a restored process checks the clock until the watchdog re-arms. */
    private void beforeCheckpoint() {
        synchronized (lock) {
            checkpointing = true;
            snapshot = snapshot.notFresh();
        }
    }

    private Snapshot await(CompletableFuture<Snapshot> f, long timeoutMillis) {
        if (!countsHandedOver) {
            callersWaited.increment();
        }
        try {
            return f.get(Math.max(1, timeoutMillis), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IrsaException(IrsaException.Kind.TIMEOUT, null, "Interrupted while waiting for IRSA credentials", e);
        } catch (ExecutionException e) {
            throw new IrsaException(IrsaException.Kind.RETRYABLE, null, "IRSA refresh failed unexpectedly", e.getCause());
        }
    }

    private IrsaException timedOut(Snapshot latest) {
        return new IrsaException(IrsaException.Kind.TIMEOUT, null, "No " + credentialsOf + " after"
                + " waiting " + policy.waitTimeout().toMillis() + " ms for " + issuer + " at " + endpoint + "; still trying in"
                + " the background." + (latest.failure != null ? " Last error: " + latest.failure.getMessage() : ""),
                latest.failure);
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private IrsaException asIrsaException(Throwable e) {
        return e instanceof IrsaException ie ? ie : new IrsaException(IrsaException.Kind.RETRYABLE, null, "Unexpected "
                + e.getClass().getName() + " before refreshing " + credentialsOf, e);
    }

    private IrsaException unavailable(Snapshot s, long now) {
        if (s.closed) {
            return closedException();
        }
        IrsaException cause = s.failure;
        if (cause == null) {
            return new IrsaException(IrsaException.Kind.RETRYABLE, null, "No " + credentialsOf + " yet", null);
        }
        String prefix = s.credentials != null
                ? credentialsOf + " " + expiredSince(s) + " and the refresh keeps failing (" + s.failures
                        + " attempt(s)): "
                : "";
        // A new exception per caller (their own stack), carrying the cached one as cause.
        return new IrsaException(cause.kind(), cause.stsErrorCode().orElse(null), prefix + cause.getMessage(), cause);
    }

    /**
     * "expired at T", or for credentials served past this clock's expiry, when they stopped being served and why this
     * clock is to blame (for a first answer served only within the interval, either the endpoint or the clock): the
     * message a caller and the log get once nothing is served.
     */
    private String expiredSince(Snapshot s) {
        if (s.horizon == 0) {
            return "expired at " + Instant.ofEpochMilli(s.expiresAt);
        }
        if (s.horizon <= s.floorEnd) { // a first answer with no proof it was just issued: served within the interval
            return "expired at " + Instant.ofEpochMilli(s.expiresAt) + " (served until the minimum refresh interval"
                    + " ended at " + Instant.ofEpochMilli(s.horizon) + "; " + endpoint + " may hand back cached"
                    + " credentials, or this machine's clock may be ahead: check NTP)";
        }
        return "looked expired or too short by this machine's clock on arrival (expiry " + Instant.ofEpochMilli(
                s.expiresAt) + "; this clock is most likely ahead of AWS's: check NTP on the node, chronyc tracking,"
                + " timedatectl), were served while still valid at AWS (until " + Instant.ofEpochMilli(s.horizon) + "),";
    }

    private IrsaException closedException() {
        return new IrsaException(IrsaException.Kind.CLOSED, null, "The " + sessionOf + " is closed", null);
    }

    @Override
    public void close() {
        CompletableFuture<Snapshot> pending;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            cancelTimer();
            Snapshot s = snapshot;
            snapshot = Snapshot.EMPTY.toBuilder().failure(null, s.failures).lastSuccessAt(s.lastSuccessAt)
                    .subject(s.subject).closed(true).generation(s.generation + 1).build();
            pending = inFlight;
            inFlight = null;
        }
        watch.cancel();
        if (pending != null) {
            pending.complete(snapshot);
        }
        try {
            exchange.close();
        } catch (Exception e) {
            log.debug("closing the STS exchange failed", e);
        } finally {
            onClose.run();
        }
    }

    /**
     * The listeners, each counted by how many holders added it (providers sharing a session may add the same
     * listener). Every call is isolated: whatever a listener throws is logged and dropped.
     */
    private static final class Listeners {
        private final Map<RefreshListener, Integer> holders = new IdentityHashMap<>();
        private volatile List<RefreshListener> current = List.of();

        synchronized void add(RefreshListener l) {
            if (holders.merge(l, 1, Integer::sum) == 1) {
                current = List.copyOf(holders.keySet());
            }
        }

        synchronized void remove(RefreshListener l) {
            Integer n = holders.get(l);
            if (n == null) {
                return;
            }
            if (n == 1) {
                holders.remove(l);
                current = List.copyOf(holders.keySet());
            } else {
                holders.put(l, n - 1);
            }
        }

        void notify(Consumer<RefreshListener> event) {
            for (RefreshListener l : current) {
                try {
                    event.accept(l);
                } catch (Throwable e) {
                    log.warn("IRSA refresh listener {} threw {}; ignored", l.getClass().getName(), e.toString());
                }
            }
        }
    }
}
