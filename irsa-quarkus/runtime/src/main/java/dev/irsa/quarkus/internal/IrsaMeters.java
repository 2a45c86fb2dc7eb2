package dev.irsa.quarkus.internal;

import dev.irsa.core.CredentialSource;
import dev.irsa.core.RefreshListener;
import dev.irsa.core.SessionState;
import dev.irsa.quarkus.IrsaRuntimeConfig;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.sdk.internal.IrsaMeterBinder;
import io.quarkus.arc.Arc;
import io.quarkus.arc.InstanceHandle;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * The session's Micrometer meters as a Quarkus bean: {@link IrsaMeterBinder}'s (the names, tags and semantics the
 * Spring starter and Micronaut share: {@code irsa.credentials.expiry}, {@code irsa.credentials.refreshes},
 * {@code irsa.credentials.refresh}, {@code irsa.credentials.refresh.failures}, each tagged {@code source}), reading
 * the {@code irsa} bean's session state. The bean is a refresh listener of the {@code irsa} bean and passes the events
 * on; Quarkus's Micrometer extension binds it, as every {@link MeterBinder} bean, to the application's registries.
 * With {@code quarkus.irsa.active=false} it binds no meter.
 */
@Singleton
public final class IrsaMeters implements MeterBinder, RefreshListener {
    /** {@code quarkus.irsa.active}: with false there is no session and no meter. */
    private final boolean active;
    private final IrsaMeterBinder meters;

    /**
     * The bean: reads the {@code irsa} bean's session, tagged with where its credentials come from.
     *
     * @param config {@code quarkus.irsa.*}
     */
    @Inject
    IrsaMeters(IrsaRuntimeConfig config) {
        this.active = config.active();
        CredentialSource source = config.roleArn().isPresent() || config.tokenFile().isPresent()
                ? CredentialSource.WEB_IDENTITY
                : CredentialSource.detect(ConfigSettings.INSTANCE).orElse(CredentialSource.WEB_IDENTITY);
        this.meters = new IrsaMeterBinder(Clock.systemUTC(), source, new ProviderState());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        if (active) { // quarkus.irsa.active=false: no session, no meter
            meters.bindTo(registry);
        }
    }

    @Override
    public void onRefreshStarted(Started e) {
        meters.onRefreshStarted(e);
    }

    @Override
    public void onRefreshSucceeded(Succeeded e) {
        meters.onRefreshSucceeded(e);
    }

    @Override
    public void onRefreshFailed(Failed e) {
        meters.onRefreshFailed(e);
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
