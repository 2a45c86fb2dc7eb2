package dev.irsa.quarkus.internal;

import dev.irsa.core.RefreshListener;
import dev.irsa.quarkus.IrsaRuntimeConfig;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.arc.ActiveResult;
import io.quarkus.arc.Arc;
import io.quarkus.arc.SyntheticCreationalContext;
import io.quarkus.runtime.RuntimeValue;
import io.quarkus.runtime.ShutdownContext;
import io.quarkus.runtime.annotations.Recorder;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/** Creates the {@code irsa} provider bean at runtime, from the runtime configuration. */
@Recorder
public class IrsaRecorder {
    private final RuntimeValue<IrsaRuntimeConfig> config;

    /**
     * Created by Quarkus.
     *
     * @param config {@code quarkus.irsa.*}
     */
    public IrsaRecorder(RuntimeValue<IrsaRuntimeConfig> config) {
        this.config = config;
    }

    /**
     * How the bean is created: from {@code quarkus.irsa.*}, with every {@link RefreshListener} bean (the meters among
     * them) as a listener. Besides the bean's own hold on the session, a second hold keeps the session running
     * while the application lives whatever SDK clients close (the SDK closes a client's provider with the client);
     * both are released by a last shutdown task, after the container destroyed the application's beans (whose
     * {@code @PreDestroy} may still call AWS), so the session ends with the application.
     *
     * @param shutdown Quarkus's shutdown context
     * @return the bean's creation function
     */
    public Function<SyntheticCreationalContext<IrsaCredentialsProvider>, IrsaCredentialsProvider> provider(
            ShutdownContext shutdown) {
        return context -> {
            List<RefreshListener> listeners = Arc.container().select(RefreshListener.class).stream().toList();
            IrsaCredentialsProvider provider = Providers.create(config.getValue(), ConfigSettings.INSTANCE, listeners);
            IrsaCredentialsProvider keeper = provider.toBuilder().eagerStart(false).build();
            shutdown.addLastShutdownTask(() -> {
                keeper.close();
                provider.close();
            });
            return provider;
        };
    }

    /**
     * Whether the {@code irsa} bean is active: {@code quarkus.irsa.active}, read at run time.
     *
     * @return the bean's activity check
     */
    public Supplier<ActiveResult> active() {
        return () -> config.getValue().active() ? ActiveResult.active() : ActiveResult.inactive(INACTIVE);
    }

    /** Why the bean is inactive, for whoever asks it for credentials. */
    static final String INACTIVE = "IRSA is deactivated (quarkus.irsa.active=false): the 'irsa' AwsCredentialsProvider"
            + " bean cannot be used; remove the setting (or set it to true) to use IRSA / EKS Pod Identity";
}
