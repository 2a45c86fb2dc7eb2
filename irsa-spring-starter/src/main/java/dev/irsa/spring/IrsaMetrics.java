package dev.irsa.spring;

import dev.irsa.core.CredentialSource;
import dev.irsa.core.RefreshListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Micrometer meters fed by refresh events:
 * <ul>
 *   <li>{@code irsa.credentials.refresh} (timer), tags {@code outcome} (success, failure) and {@code trigger}
 *       (initial, scheduled, retry, caller);</li>
 *   <li>{@code irsa.credentials.refresh.failures} (counter), tag {@code kind} (retryable, non_recoverable, token,
 *       configuration, timeout, closed);</li>
 *   <li>{@code irsa.credentials.expiry} (gauge, seconds until the served credentials expire; NaN before the first).</li>
 * </ul>
 * Every meter also carries {@code source} ({@code web-identity} or {@code pod-identity}), so IRSA and Pod Identity
 * share one set of dashboards. Tags are bounded enumerations; thread-safe.
 * @since 0.1.0
 */
public final class IrsaMetrics implements MeterBinder, RefreshListener {
    private final Clock clock;
    private final String source;
    private final AtomicReference<Instant> expiration = new AtomicReference<>();
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

    /**
     * Creates meters tagged {@code source=web-identity}.
     *
     * @param clock supplies the current time for the expiry gauge
     */
    public IrsaMetrics(Clock clock) {
        this(clock, CredentialSource.WEB_IDENTITY);
    }

    /**
     * Creates meters tagged with the given credential source.
     *
     * @param clock supplies the current time for the expiry gauge
     * @param source the credential source whose {@link CredentialSource#tag() tag} every meter carries
     */
    public IrsaMetrics(Clock clock, CredentialSource source) {
        this.clock = clock;
        this.source = source.tag();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        registries.add(registry);
        Gauge.builder("irsa.credentials.expiry", this, m -> m.secondsToExpiry()).baseUnit("seconds")
                .description("Time until the IRSA credentials being served expire").tag("source", source).register(registry);
        for (RefreshListener.Trigger trigger : RefreshListener.Trigger.values()) {
            for (String outcome : new String[] {"success", "failure"}) {
                timer(registry, outcome, trigger);
            }
        }
    }

    private double secondsToExpiry() {
        Instant e = expiration.get();
        return e == null ? Double.NaN : Duration.between(clock.instant(), e).toMillis() / 1000.0;
    }

    private Timer timer(MeterRegistry r, String outcome, RefreshListener.Trigger trigger) {
        return Timer.builder("irsa.credentials.refresh").description("IRSA credential refreshes (calls to STS)")
                .tag("outcome", outcome).tag("trigger", trigger.name().toLowerCase(Locale.ROOT)).tag("source", source).register(r);
    }

    @Override
    public void onRefreshSucceeded(Succeeded e) {
        expiration.set(e.expiration());
        registries.forEach(r -> timer(r, "success", e.trigger()).record(e.duration()));
    }

    @Override
    public void onRefreshFailed(Failed e) {
        registries.forEach(r -> {
            timer(r, "failure", e.trigger()).record(e.duration());
            Counter.builder("irsa.credentials.refresh.failures").description("Failed IRSA credential refreshes")
                    .tag("kind", e.kind().name().toLowerCase(Locale.ROOT)).tag("source", source).register(r).increment();
        });
        if (!e.credentialsStillValid()) {
            expiration.set(null);
        }
    }
}
