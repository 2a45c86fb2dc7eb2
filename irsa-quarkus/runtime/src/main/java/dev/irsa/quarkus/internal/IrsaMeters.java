package dev.irsa.quarkus.internal;

import dev.irsa.core.CredentialSource;
import dev.irsa.core.IrsaException;
import dev.irsa.core.RefreshListener;
import dev.irsa.core.SessionState;
import dev.irsa.quarkus.IrsaRuntimeConfig;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.arc.Arc;
import io.quarkus.arc.InstanceHandle;
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
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Micrometer meters for the session, with the Spring starter's names and tags ({@code IrsaMetrics} there):
 * <ul>
 *   <li>{@code irsa.credentials.expiry} (gauge): seconds until the credentials being served expire; NaN while none
 *       are valid;</li>
 *   <li>{@code irsa.credentials.refreshes} (counter), tag {@code outcome} (success, failure): every refresh the
 *       session has made since it started;</li>
 *   <li>{@code irsa.credentials.refresh} (timer), tags {@code outcome} and {@code trigger} (initial, scheduled,
 *       retry, caller);</li>
 *   <li>{@code irsa.credentials.refresh.failures} (counter), tag {@code kind} (configuration, token, retryable,
 *       non_recoverable, timeout, closed).</li>
 * </ul>
 * Every meter also carries {@code source} ({@code web-identity} or {@code pod-identity}). The gauge and
 * {@code irsa.credentials.refreshes} read the {@code irsa} bean's session state; the timer and the failure counter
 * count the refresh events heard since the bean was created (it takes this bean as a listener). Quarkus's
 * Micrometer extension binds it, as every {@link MeterBinder} bean, to the application's registries.
 */
@Singleton
public final class IrsaMeters implements MeterBinder, RefreshListener {
    private static final RefreshListener.Trigger[] TRIGGERS = RefreshListener.Trigger.values();
    private static final IrsaException.Kind[] KINDS = IrsaException.Kind.values();

    private final Clock clock;
    /** {@code quarkus.irsa.active}: with false there is no session and no meter. */
    private final boolean active;
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
     * The bean: reads the {@code irsa} bean's session, tagged with where its credentials come from.
     *
     * @param config {@code quarkus.irsa.*}
     */
    @Inject
    IrsaMeters(IrsaRuntimeConfig config) {
        this(config.active(), Clock.systemUTC(), config.roleArn().isPresent() || config.tokenFile().isPresent()
                ? CredentialSource.WEB_IDENTITY
                : CredentialSource.detect(ConfigSettings.INSTANCE).orElse(CredentialSource.WEB_IDENTITY),
                new ProviderState());
    }

    /** Meters that read the expiry and refresh totals from {@code session} whenever it has a state to give. */
    IrsaMeters(Clock clock, CredentialSource source, Supplier<Optional<SessionState>> session) {
        this(true, clock, source, session);
    }

    private IrsaMeters(boolean active, Clock clock, CredentialSource source,
                       Supplier<Optional<SessionState>> session) {
        this.active = active;
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
        if (!active) {
            return; // quarkus.irsa.active=false
        }
        Gauge.builder("irsa.credentials.expiry", this, IrsaMeters::secondsToExpiry).baseUnit("seconds")
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
            return Optional.empty(); // e.g. read while the container is still creating the provider: events only
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

    /** The {@code irsa} bean's session state, looked up when first read (the bean takes these meters as a listener). */
    static final class ProviderState implements Supplier<Optional<SessionState>> {
        private volatile IrsaCredentialsProvider provider;

        @Override
        public Optional<SessionState> get() {
            IrsaCredentialsProvider p = provider;
            if (p == null) {
                InstanceHandle<IrsaCredentialsProvider> h = Arc.container().instance(IrsaCredentialsProvider.class);
                if (!h.isAvailable()) {
                    return Optional.empty();
                }
                p = h.get();
                provider = p;
            }
            return p.state();
        }
    }
}
