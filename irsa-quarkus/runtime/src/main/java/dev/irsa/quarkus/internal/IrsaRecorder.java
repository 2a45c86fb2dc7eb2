package dev.irsa.quarkus.internal;

import dev.irsa.core.RefreshListener;
import dev.irsa.quarkus.IrsaRuntimeConfig;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.arc.ActiveResult;
import io.quarkus.arc.Arc;
import io.quarkus.arc.SyntheticCreationalContext;
import io.quarkus.runtime.ShutdownContext;
import io.quarkus.runtime.annotations.Recorder;
import io.smallrye.config.SmallRyeConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Creates the {@code irsa} provider bean from the runtime configuration, read when the bean is created or its activity
 * checked (at run time), not when these functions are recorded.
 *
 * <p>Recorded in STATIC_INIT, so the bean can be looked up from the start of RUNTIME_INIT: Quarkiverse's Amazon
 * clients resolve {@code quarkus.<service>.aws.credentials.custom-provider.name} by name in a RUNTIME_INIT step of
 * theirs ({@code AmazonClientCommonRecorder.configure}), which runs before Arc initialises RUNTIME_INIT synthetic
 * beans (Arc's step consumes the synthetic beans that same step produces), so a RUNTIME_INIT bean fails their start
 * with "not initialized yet".
 */
@Recorder
public class IrsaRecorder {
    /** Created by Quarkus. */
    public IrsaRecorder() {
    }

    /** {@code quarkus.irsa.*} of the running application. */
    static IrsaRuntimeConfig config() {
        return ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getConfigMapping(IrsaRuntimeConfig.class);
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
            IrsaCredentialsProvider provider = Providers.create(config(), ConfigSettings.INSTANCE, listeners);
            IrsaCredentialsProvider keeper = provider.toBuilder().eagerStart(false).build();
            shutdown.addLastShutdownTask(() -> {
                keeper.close();
                provider.close();
            });
            return provider;
        };
    }

    /**
     * Hands {@link QuarkiverseCredentials} what it answers for the application's Quarkiverse Amazon clients, before the
     * run-time configuration is built.
     *
     * @param declared {@link QuarkiverseCredentials#declaredDefaults}
     */
    public void quarkiverseClients(Map<String, String> declared) {
        QuarkiverseCredentials.clients(declared);
    }

    /**
     * Whether the {@code irsa} bean is active: {@code quarkus.irsa.active}, read at run time.
     *
     * @return the bean's activity check
     */
    public Supplier<ActiveResult> active() {
        return () -> config().active() ? ActiveResult.active() : ActiveResult.inactive(INACTIVE);
    }

    /** Why the bean is inactive, for whoever asks it for credentials. */
    static final String INACTIVE = "IRSA is deactivated (quarkus.irsa.active=false): the 'irsa' AwsCredentialsProvider"
            + " bean cannot be used; remove the setting (or set it to true) to use IRSA / EKS Pod Identity";
}
