package dev.irsa.sdk.internal;

import dev.irsa.core.CredentialSource;
import dev.irsa.core.IrsaException;
import dev.irsa.core.RefreshListener;
import dev.irsa.core.SessionState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Micrometer meters for the IRSA session, shared by the framework integrations (Spring Boot's
 * {@code dev.irsa.spring.IrsaMetrics}, Micronaut's {@code dev.irsa.micronaut}); needs Micrometer and nothing of a
 * framework. Not API: its names and tags are the documented ones, its Java surface may change.
 * <ul>
 *   <li>{@code irsa.credentials.expiry} (gauge): seconds until the credentials being served expire; NaN while none
 *       are valid (before the first, after expiry);</li>
 *   <li>{@code irsa.credentials.refreshes} (counter), tag {@code outcome} (success, failure): every refresh the
 *       session has made since it started;</li>
 *   <li>{@code irsa.credentials.refresh} (timer), tags {@code outcome} (success, failure) and {@code trigger}
 *       (initial, scheduled, retry, caller);</li>
 *   <li>{@code irsa.credentials.refresh.failures} (counter), tag {@code kind} (configuration, token, retryable,
 *       non_recoverable, timeout, closed).</li>
 * </ul>
 * An instance built with a session supplier reads the gauge and {@code irsa.credentials.refreshes} from the provider's
 * session state, so from the moment they are bound they show what the session did before (a refresh made before the
 * application's context existed included). The timer and the failure counter count the refresh events heard since
 * this object joined the session as a listener (when the provider was created), whenever the meters are bound; an
 * instance built without a session supplier has no session to read and feeds every meter from events.
 *
 * <p>Every meter also carries {@code source} ({@code web-identity} or {@code pod-identity}), so IRSA and Pod Identity
 * share one set of dashboards. Tags are bounded enumerations; thread-safe.
 */
public final class IrsaMeterBinder implements MeterBinder, RefreshListener {
    private static final RefreshListener.Trigger[] TRIGGERS = RefreshListener.Trigger.values();
    private static final IrsaException.Kind[] KINDS = IrsaException.Kind.values();

    private final Clock clock;
    private final String source;
    /** The session's state, or empty when there is no session to read (then the events feed every meter). */
    private final Supplier<Optional<SessionState>> session;
    /** Expiry as the events tell it: for an instance without a session. */
    private final AtomicReference<Instant> expiration = new AtomicReference<>();
    /** Refreshes heard, by outcome (0 success, 1 failure) and trigger: counts and total nanoseconds. */
    private final LongAdder[][] counts = new LongAdder[2][TRIGGERS.length];
    private final LongAdder[][] nanos = new LongAdder[2][TRIGGERS.length];
    private final LongAdder[] failuresByKind = new LongAdder[KINDS.length];

    /**
     * Creates meters tagged {@code source=web-identity}, fed by refresh events only.
     *
     * @param clock supplies the current time for the expiry gauge
     */
    public IrsaMeterBinder(Clock clock) {
        this(clock, CredentialSource.WEB_IDENTITY);
    }

    /**
     * Creates meters tagged with the given credential source, fed by refresh events only.
     *
     * @param clock supplies the current time for the expiry gauge
     * @param source the credential source whose {@link CredentialSource#tag() tag} every meter carries
     */
    public IrsaMeterBinder(Clock clock, CredentialSource source) {
        this(clock, source, Optional::empty);
    }

    /**
     * Meters that read the expiry and refresh totals from {@code session} whenever it has a state to give.
     *
     * @param clock supplies the current time for the expiry gauge
     * @param source the credential source whose {@link CredentialSource#tag() tag} every meter carries
     * @param session the session's state, or empty while there is none to read (then the events feed every meter)
     */
    public IrsaMeterBinder(Clock clock, CredentialSource source, Supplier<Optional<SessionState>> session) {
        this.clock = clock;
        this.source = source.tag();
        this.session = session;
        for (int o = 0; o < 2; o++) {
            for (int t = 0; t < TRIGGERS.length; t++) {
                counts[o][t] = new LongAdder();
                nanos[o][t] = new LongAdder();
            }
        }
        for (int k = 0; k < KINDS.length; k++) {
            failuresByKind[k] = new LongAdder();
        }
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("irsa.credentials.expiry", this, IrsaMeterBinder::secondsToExpiry).baseUnit("seconds")
                .description("Time until the IRSA credentials being served expire").tag("source", source).register(registry);
        for (int o = 0; o < 2; o++) {
            String outcome = o == 0 ? "success" : "failure";
            boolean success = o == 0;
            FunctionCounter.builder("irsa.credentials.refreshes", this, m -> m.refreshes(success))
                    .description("IRSA credential refreshes the session has made since it started")
                    .tag("outcome", outcome).tag("source", source).register(registry);
            for (int t = 0; t < TRIGGERS.length; t++) {
                LongAdder count = counts[o][t];
                LongAdder total = nanos[o][t];
                FunctionTimer.builder("irsa.credentials.refresh", this, m -> count.sum(), m -> total.sum(),
                                TimeUnit.NANOSECONDS)
                        .description("IRSA credential refreshes (calls to STS)").tag("outcome", outcome)
                        .tag("trigger", TRIGGERS[t].name().toLowerCase(Locale.ROOT)).tag("source", source)
                        .register(registry);
            }
        }
        for (int k = 0; k < KINDS.length; k++) {
            LongAdder failures = failuresByKind[k];
            FunctionCounter.builder("irsa.credentials.refresh.failures", this, m -> failures.sum())
                    .description("Failed IRSA credential refreshes").tag("kind", KINDS[k].name().toLowerCase(Locale.ROOT))
                    .tag("source", source).register(registry);
        }
    }

    private Optional<SessionState> state() {
        try {
            return session.get();
        } catch (RuntimeException e) {
            return Optional.empty(); // e.g. read while the application is still creating the provider: events only
        }
    }

    private double secondsToExpiry() {
        Optional<SessionState> s = state();
        Instant e = s.isPresent() ? (s.get().healthy() ? s.get().expiration() : null) : expiration.get();
        return e == null ? Double.NaN : Duration.between(clock.instant(), e).toMillis() / 1000.0;
    }

    private double refreshes(boolean success) {
        Optional<SessionState> s = state();
        if (s.isPresent()) {
            return success ? s.get().refreshes() : s.get().failedRefreshes();
        }
        long n = 0;
        for (LongAdder c : counts[success ? 0 : 1]) {
            n += c.sum();
        }
        return n;
    }

    @Override
    public void onRefreshSucceeded(Succeeded e) {
        expiration.set(e.expiration());
        counts[0][e.trigger().ordinal()].increment();
        nanos[0][e.trigger().ordinal()].add(e.duration().toNanos());
    }

    @Override
    public void onRefreshFailed(Failed e) {
        counts[1][e.trigger().ordinal()].increment();
        nanos[1][e.trigger().ordinal()].add(e.duration().toNanos());
        failuresByKind[e.kind().ordinal()].increment();
        if (!e.credentialsStillValid()) {
            expiration.set(null);
        }
    }
}
