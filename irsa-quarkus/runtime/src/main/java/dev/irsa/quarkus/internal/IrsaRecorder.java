package dev.irsa.quarkus.internal;

import dev.irsa.core.RefreshListener;
import dev.irsa.quarkus.IrsaRuntimeConfig;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.arc.Arc;
import io.quarkus.arc.SyntheticCreationalContext;
import io.quarkus.runtime.RuntimeValue;
import io.quarkus.runtime.ShutdownContext;
import io.quarkus.runtime.annotations.Recorder;
import java.util.List;
import java.util.function.Function;

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
     * both are released at shutdown, so the session ends with the application.
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
            shutdown.addShutdownTask(() -> {
                keeper.close();
                provider.close();
            });
            return provider;
        };
    }
}
