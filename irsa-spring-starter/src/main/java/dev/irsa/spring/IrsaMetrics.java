package dev.irsa.spring;

import dev.irsa.core.CredentialSource;
import dev.irsa.core.RefreshListener;
import dev.irsa.core.SessionState;
import dev.irsa.sdk.internal.IrsaMeterBinder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Micrometer meters for the IRSA session:
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
 * The auto-configured instance reads the gauge and {@code irsa.credentials.refreshes} from the starter's provider's
 * session state, so from the moment they are bound they show what the session did before, including a config-data
 * import's refresh made before the application context existed. The timer and the failure counter count the refresh
 * events heard since this object joined the session as a listener (when the provider was created), whenever the meters
 * are bound; an instance built with a public constructor has no session to read and feeds every meter from events.
 *
 * <p>Every meter also carries {@code source} ({@code web-identity} or {@code pod-identity}), so IRSA and Pod Identity
 * share one set of dashboards. Tags are bounded enumerations; thread-safe. The meters themselves are shared with the
 * other framework integrations (same names, same tags).
 * @since 0.1.0
 */
public final class IrsaMetrics implements MeterBinder, RefreshListener {
    private final IrsaMeterBinder meters;

    /**
     * Creates meters tagged {@code source=web-identity}, fed by refresh events only.
     *
     * @param clock supplies the current time for the expiry gauge
     */
    public IrsaMetrics(Clock clock) {
        this(clock, CredentialSource.WEB_IDENTITY);
    }

    /**
     * Creates meters tagged with the given credential source, fed by refresh events only.
     *
     * @param clock supplies the current time for the expiry gauge
     * @param source the credential source whose {@link CredentialSource#tag() tag} every meter carries
     */
    public IrsaMetrics(Clock clock, CredentialSource source) {
        this.meters = new IrsaMeterBinder(clock, source);
    }

    /** Meters that read the expiry and refresh totals from {@code session} whenever it has a state to give. */
    IrsaMetrics(Clock clock, CredentialSource source, Supplier<Optional<SessionState>> session) {
        this.meters = new IrsaMeterBinder(clock, source, session);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        meters.bindTo(registry);
    }

    @Override
    public void onRefreshSucceeded(Succeeded e) {
        meters.onRefreshSucceeded(e);
    }

    @Override
    public void onRefreshFailed(Failed e) {
        meters.onRefreshFailed(e);
    }
}
