package dev.irsa.core.internal;

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
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * clock, so a dead scheduler cannot make us hand out expired credentials. What this does not cover: a JVM frozen as
 * a whole (SIGSTOP, a suspended host) resumes callers and the timer together, and for the instant before the
 * overdue timer runs a caller can still read the snapshot that was fresh when time stopped.
 *
 * <p><b>Windows</b> (see {@link RefreshPolicy}). Advisory window: the background refresh starts at a random point
 * in its first half (a session's first refresh is spread over most of the first lifetime, so pods started
 * together fall out of step); callers keep getting the cached credentials. Mandatory window (1 min, at most a tenth of
 * the lifetime): callers wait, bounded, for the refresh in flight rather than take credentials about to
 * expire; if it fails they still get the cached credentials, which are valid until expiry.
 *
 * <p><b>Single flight.</b> At most one refresh runs at a time ({@code inFlight}); every caller that needs one
 * joins it. There is no timeout after which waiters call STS themselves: a waiter that gives up returns the
 * cached credentials (if still valid) or an error, never a second STS call.
 *
 * <p><b>Failures.</b> A failed refresh keeps the cached credentials, which are served until they really
 * expire. Retries follow a jittered exponential backoff, capped to half the time left before the mandatory
 * window (so several tries happen before it), to half the remaining life (so the last try lands before
 * expiry) and to {@code expiredBackoffMax} once nothing valid is held.
 * Callers without valid credentials get the last error at once until the next attempt is due, so an outage
 * costs one STS call per backoff step, not one per caller call. A non-recoverable error (trust policy, OIDC
 * provider, session policy) is handed out for {@code nonRecoverableErrorTtl} before a caller may try again.
 * Logging happens once per change of state, not per call.
 */
public final class RefreshEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("dev.irsa.core.IrsaSession");

    /** Immutable state read by callers. Times are epoch milliseconds of the engine's clock. */
    record Snapshot(IrsaCredentials credentials, long expiresAt, long mandatoryAt, long nextAttemptAt, boolean fresh,
                    IrsaException failure, int failures, long lastSuccessAt, String subject, boolean expiryReported,
                    boolean closed) {
        static final Snapshot EMPTY = new Snapshot(null, 0, 0, 0, false, null, 0, 0, null, false, false);

        boolean validAt(long now) {
            return credentials != null && now < expiresAt;
        }

        Snapshot notFresh() {
            return fresh ? new Snapshot(credentials, expiresAt, mandatoryAt, nextAttemptAt, false, failure, failures,
                    lastSuccessAt, subject, expiryReported, closed) : this;
        }
    }

    private final String roleArn;
    private final URI endpoint;
    private final RefreshPolicy policy;
    private final Clock clock;
    private final RandomGenerator random;
    private final CredentialExchange exchange;
    private final Scheduler scheduler;
    private final Runnable onClose;
    private final List<RefreshListener> listeners = new CopyOnWriteArrayList<>();

    private volatile Snapshot snapshot = Snapshot.EMPTY;

    private final Object lock = new Object();
    private CompletableFuture<Snapshot> inFlight; // guarded by lock
    private Scheduler.Cancellable timer; // guarded by lock
    private boolean closed; // guarded by lock

    public RefreshEngine(String roleArn, URI endpoint, RefreshPolicy policy, Clock clock, RandomGenerator random,
                         CredentialExchange exchange, Scheduler scheduler, Runnable onClose) {
        this.roleArn = Objects.requireNonNull(roleArn);
        this.endpoint = endpoint;
        this.policy = Objects.requireNonNull(policy);
        this.clock = Objects.requireNonNull(clock);
        this.random = Objects.requireNonNull(random);
        this.exchange = Objects.requireNonNull(exchange);
        this.scheduler = Objects.requireNonNull(scheduler);
        this.onClose = onClose == null ? () -> { } : onClose;
    }

    public void addListener(RefreshListener l) {
        listeners.add(Objects.requireNonNull(l));
    }

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
        return slowPath(s);
    }

    private IrsaCredentials slowPath(Snapshot s) {
        if (s.closed) {
            throw closedException();
        }
        long now = clock.millis();
        if (s.validAt(now) && now < s.mandatoryAt) {
            maybeStartInBackground(s, now);
            return s.credentials;
        }
        if (s.validAt(now)) {
            CompletableFuture<Snapshot> f = joinForMandatoryWindow(s, now);
            if (f != null) {
                Snapshot r = await(f, Math.min(policy.waitTimeout().toMillis(), s.expiresAt - now));
                long after = clock.millis();
                if (r != null && r.validAt(after)) {
                    return r.credentials;
                }
            }
            Snapshot latest = snapshot;
            long after = clock.millis();
            if (latest.validAt(after)) {
                return latest.credentials;
            }
            throw unavailable(latest, after);
        }
        if (s.failure != null && now < s.nextAttemptAt) {
            throw unavailable(s, now);
        }
        CompletableFuture<Snapshot> f = startRefresh(s.credentials == null && s.failure == null ? Trigger.INITIAL
                : Trigger.CALLER, true, s);
        Snapshot r = await(f, policy.waitTimeout().toMillis());
        long after = clock.millis();
        if (r == null) {
            Snapshot latest = snapshot;
            if (latest.validAt(after)) {
                return latest.credentials;
            }
            throw new IrsaException(IrsaException.Kind.TIMEOUT, null, "No IRSA credentials for " + roleArn + " after"
                    + " waiting " + policy.waitTimeout().toMillis() + " ms for STS at " + endpoint + "; still trying in"
                    + " the background." + (latest.failure != null ? " Last error: " + latest.failure.getMessage() : ""),
                    latest.failure);
        }
        if (r.validAt(after)) {
            return r.credentials;
        }
        throw unavailable(r, after);
    }

    /**
     * Like {@link #credentials()} but never blocks: completes at once when credentials are cached, otherwise
     * when the refresh in flight completes.
     */
    public CompletableFuture<IrsaCredentials> credentialsAsync() {
        Snapshot s = snapshot;
        if (s.fresh) {
            return CompletableFuture.completedFuture(s.credentials);
        }
        if (s.closed) {
            return CompletableFuture.failedFuture(closedException());
        }
        long now = clock.millis();
        if (s.validAt(now) && now < s.mandatoryAt) {
            maybeStartInBackground(s, now);
            return CompletableFuture.completedFuture(s.credentials);
        }
        if (s.validAt(now)) {
            CompletableFuture<Snapshot> f = joinForMandatoryWindow(s, now);
            if (f == null) {
                return CompletableFuture.completedFuture(s.credentials);
            }
            return f.thenApply(r -> {
                long t = clock.millis();
                if (r.validAt(t)) {
                    return r.credentials;
                }
                if (s.validAt(t)) {
                    return s.credentials;
                }
                throw unavailable(r, t);
            });
        }
        if (s.failure != null && now < s.nextAttemptAt) {
            return CompletableFuture.failedFuture(unavailable(s, now));
        }
        return startRefresh(s.credentials == null && s.failure == null ? Trigger.INITIAL : Trigger.CALLER, true, s)
                .thenApply(r -> {
                    long t = clock.millis();
                    if (r.validAt(t)) {
                        return r.credentials;
                    }
                    throw unavailable(r, t);
                });
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
        } else if (s.validAt(now)) {
            status = s.failure == null ? SessionState.Status.VALID : SessionState.Status.DEGRADED;
        } else {
            status = SessionState.Status.FAILING;
        }
        IrsaException f = s.failure;
        return new SessionState(status, roleArn, endpoint,
                s.credentials == null ? null : Instant.ofEpochMilli(s.expiresAt),
                s.lastSuccessAt == 0 ? null : Instant.ofEpochMilli(s.lastSuccessAt),
                f == null ? null : f.getMessage(), f == null ? null : f.kind(),
                f == null ? null : f.stsErrorCode().orElse(null), s.failures, s.subject);
    }

    // --------------------------------------------------------------------------------------------------------

    /** In the advisory window, normally a timer has started the refresh; this covers a late timer. */
    private void maybeStartInBackground(Snapshot s, long now) {
        if (now >= s.nextAttemptAt && s.nextAttemptAt > 0) {
            startRefresh(s.failure == null ? Trigger.SCHEDULED : Trigger.RETRY, false, s);
        }
    }

    /** The refresh to wait for in the mandatory window, or null to serve the cached credentials now. */
    private CompletableFuture<Snapshot> joinForMandatoryWindow(Snapshot s, long now) {
        synchronized (lock) {
            if (inFlight != null) {
                return inFlight;
            }
        }
        if (s.failure != null) {
            return null; // backing off after a failure: the timer retries; callers add no STS calls
        }
        return startRefresh(Trigger.CALLER, true, s);
    }

    /**
     * Joins the refresh in flight or starts one. {@code observed} is the snapshot the caller decided on: if the
     * state has changed since (a refresh just finished), the caller gets the new state instead of a second STS
     * call. Timers pass null.
     */
    private CompletableFuture<Snapshot> startRefresh(Trigger trigger, boolean callerWaiting, Snapshot observed) {
        CompletableFuture<Snapshot> f;
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.completedFuture(snapshot);
            }
            if (inFlight != null) {
                return inFlight;
            }
            if (observed != null && snapshot != observed && !sameButFreshness(snapshot, observed)) {
                return CompletableFuture.completedFuture(snapshot);
            }
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            snapshot = snapshot.notFresh();
            f = new CompletableFuture<>();
            inFlight = f;
            int attempts = callerWaiting ? policy.maxAttempts() : 1;
            try {
                scheduler.execute(() -> refresh(f, trigger, attempts));
            } catch (RejectedExecutionException e) {
                inFlight = null;
                IrsaException ex = new IrsaException(IrsaException.Kind.CLOSED, null,
                        "The IRSA refresh scheduler is shut down; was the session closed?", e);
                f.complete(snapshot);
                throw ex;
            }
        }
        return f;
    }

    private void onTimer(Trigger trigger) {
        startRefresh(trigger, false, null);
    }

    private static boolean sameButFreshness(Snapshot a, Snapshot b) {
        return a.credentials == b.credentials && a.failure == b.failure && a.failures == b.failures;
    }

    private void refresh(CompletableFuture<Snapshot> f, Trigger trigger, int attempts) {
        long t0 = System.nanoTime();
        notifyListeners(l -> l.onRefreshStarted(new RefreshListener.Started(roleArn, trigger, clock.instant())));
        Snapshot result;
        try {
            ExchangeResult r = exchange.exchange(attempts);
            result = succeeded(r, trigger, t0);
        } catch (IrsaException e) {
            result = failed(e, trigger, t0);
        } catch (RuntimeException | Error e) {
            result = failed(new IrsaException(IrsaException.Kind.RETRYABLE, null, "Unexpected "
                    + e.getClass().getName() + " while refreshing IRSA credentials", e), trigger, t0);
        }
        f.complete(result);
    }

    private Snapshot succeeded(ExchangeResult r, Trigger trigger, long t0) {
        long now = clock.millis();
        long exp = r.credentials().expiration().toEpochMilli();
        if (exp <= now) {
            throw new IrsaException(IrsaException.Kind.RETRYABLE, null, "STS returned credentials that expire at "
                    + r.credentials().expiration() + ", which is already past by this machine's clock ("
                    + Instant.ofEpochMilli(now) + "). The clock is probably wrong: check NTP.", null);
        }
        Duration lifetime = Duration.ofMillis(exp - now);
        long mandatoryAt = exp - policy.mandatoryWindow(lifetime).toMillis();
        Snapshot prev;
        Snapshot next;
        synchronized (lock) {
            prev = snapshot;
            inFlight = null;
            if (closed) {
                return prev;
            }
            long refreshAt = exp - (prev.lastSuccessAt == 0 ? policy.firstRefreshLead(lifetime, random)
                    : policy.refreshLead(lifetime, random)).toMillis();
            boolean timed = policy.backgroundRefresh() && setTimer(refreshAt - now, Trigger.SCHEDULED);
            next = new Snapshot(r.credentials(), exp, mandatoryAt, refreshAt, timed, null, 0, now,
                    r.token() == null ? prev.subject : r.token().subject(), false, false);
            snapshot = next;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (prev.failure != null) {
            log.info("IRSA credentials for {} refreshed after {} failed attempt(s); they expire at {}", roleArn,
                    prev.failures, r.credentials().expiration());
        } else if (prev.credentials == null) {
            log.info("IRSA credentials for {} obtained from {} in {} ms; they expire at {}", roleArn, endpoint,
                    took.toMillis(), r.credentials().expiration());
        } else {
            log.debug("IRSA credentials for {} refreshed; they expire at {}", roleArn, r.credentials().expiration());
        }
        notifyListeners(l -> l.onRefreshSucceeded(new RefreshListener.Succeeded(roleArn, trigger, took,
                r.credentials().expiration(), r.stsCalls())));
        return next;
    }

    private Snapshot failed(IrsaException e, Trigger trigger, long t0) {
        long now = clock.millis();
        Snapshot prev;
        Snapshot next;
        long delay;
        boolean valid;
        synchronized (lock) {
            prev = snapshot;
            inFlight = null;
            if (closed) {
                return prev;
            }
            valid = prev.validAt(now);
            int failures = prev.failures + 1;
            boolean nonRecoverable = e.kind() == IrsaException.Kind.NON_RECOVERABLE
                    || e.kind() == IrsaException.Kind.CONFIGURATION;
            if (nonRecoverable && !valid) {
                delay = policy.nonRecoverableErrorTtl().toMillis();
            } else {
                Duration untilMandatory = valid ? Duration.ofMillis(prev.mandatoryAt - now) : null;
                Duration untilExpiry = valid ? Duration.ofMillis(prev.expiresAt - now) : null;
                delay = policy.backoff(failures, untilMandatory, untilExpiry, random).toMillis();
            }
            // Without valid credentials a broken setup is retried only when a caller asks (no silent STS traffic).
            if (policy.backgroundRefresh() && (valid || !nonRecoverable)) {
                setTimer(delay, Trigger.RETRY);
            }
            next = new Snapshot(prev.credentials, prev.expiresAt, prev.mandatoryAt, now + delay, false, e, failures,
                    prev.lastSuccessAt, prev.subject, prev.expiryReported || (!valid && prev.credentials != null), false);
            snapshot = next;
        }
        logFailure(prev, next, e, valid, delay);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        notifyListeners(l -> l.onRefreshFailed(new RefreshListener.Failed(roleArn, trigger, took, e.kind(),
                e.stsErrorCode().orElse(null), e.getMessage(), next.failures, valid, Duration.ofMillis(delay))));
        return next;
    }

    private void logFailure(Snapshot prev, Snapshot next, IrsaException e, boolean valid, long delay) {
        boolean changed = prev.failure == null || prev.failure.kind() != e.kind()
                || !Objects.equals(prev.failure.stsErrorCode(), e.stsErrorCode());
        if (!valid && prev.credentials != null && !prev.expiryReported) {
            log.error("IRSA credentials for {} expired at {} and could not be refreshed ({} failed attempt(s)); callers"
                    + " get errors until STS answers. Last error: {}", roleArn, Instant.ofEpochMilli(prev.expiresAt),
                    next.failures, e.getMessage());
        } else if (changed) {
            if (valid) {
                log.warn("IRSA refresh for {} failed; serving cached credentials valid until {}; next attempt in {} ms: {}",
                        roleArn, Instant.ofEpochMilli(prev.expiresAt), delay, e.getMessage());
            } else {
                log.warn("IRSA credentials for {} unavailable: {}", roleArn, e.getMessage());
            }
        } else {
            log.debug("IRSA refresh for {} failed again ({} in a row): {}", roleArn, next.failures, e.getMessage());
        }
    }

    /** Must hold lock. Returns whether a timer is set. */
    private boolean setTimer(long delayMillis, Trigger trigger) {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        try {
            timer = scheduler.schedule(() -> onTimer(trigger), Duration.ofMillis(Math.max(0, delayMillis)));
            return true;
        } catch (RejectedExecutionException e) {
            log.warn("IRSA scheduler rejected a refresh timer for {}; credentials are checked on every call instead",
                    roleArn);
            return false;
        }
    }

    private Snapshot await(CompletableFuture<Snapshot> f, long timeoutMillis) {
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

    private IrsaException unavailable(Snapshot s, long now) {
        if (s.closed) {
            return closedException();
        }
        IrsaException cause = s.failure;
        if (cause == null) {
            return new IrsaException(IrsaException.Kind.RETRYABLE, null, "No IRSA credentials for " + roleArn + " yet", null);
        }
        String prefix = s.credentials != null
                ? "IRSA credentials for " + roleArn + " expired at " + Instant.ofEpochMilli(s.expiresAt) + " and the refresh"
                        + " keeps failing (" + s.failures + " attempt(s)): "
                : "";
        // A new exception per caller (their own stack), carrying the cached one as cause.
        return new IrsaException(cause.kind(), cause.stsErrorCode().orElse(null), prefix + cause.getMessage(), cause);
    }

    private IrsaException closedException() {
        return new IrsaException(IrsaException.Kind.CLOSED, null, "The IRSA session for " + roleArn + " is closed", null);
    }

    private void notifyListeners(java.util.function.Consumer<RefreshListener> event) {
        for (RefreshListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                log.warn("IRSA refresh listener {} threw {}", l.getClass().getName(), e.toString());
            }
        }
    }

    @Override
    public void close() {
        CompletableFuture<Snapshot> pending;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            Snapshot s = snapshot;
            snapshot = new Snapshot(null, 0, 0, 0, false, null, s.failures, s.lastSuccessAt, s.subject, false, true);
            pending = inFlight;
            inFlight = null;
        }
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
}
