package dev.irsa.spring.boot4;

import dev.irsa.core.SettingsSource;
import dev.irsa.spring.common.internal.BootstrapRun;
import org.springframework.boot.bootstrap.BootstrapRegistry;
import org.springframework.boot.bootstrap.BootstrapRegistryInitializer;
import org.springframework.boot.context.properties.bind.Binder;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Offers IRSA credentials to config-data imports ({@code spring.config.import=aws-parameterstore:...},
 * {@code aws-secretsmanager:...}) through Spring Boot 4's bootstrap registry, before the application context exists.
 *
 * <p>The provider is built when an import first asks for it, from the {@code irsa.*} properties config data sees
 * then (see {@link ConfigDataBinderTracker}), exactly as the application's bean is built, so both share one session.
 * With {@code irsa.enabled=false}, or IRSA not configured, asking for it fails as for an unregistered type, and Spring
 * Cloud AWS uses its own credentials; a provider registered earlier by someone else wins. Released with the
 * application context, or by {@link FailedStartRelease} when the start fails before; one warning when the
 * application's IRSA configuration differs from the import's.
 * @since 0.1.0
 */
public final class IrsaBootstrapRegistryInitializer implements BootstrapRegistryInitializer {
    private final SettingsSource settings;

    /** Creates an initializer that reads its settings from the system environment and system properties. */
    public IrsaBootstrapRegistryInitializer() {
        this(SettingsSource.system());
    }

    IrsaBootstrapRegistryInitializer(SettingsSource settings) {
        this.settings = settings;
    }

    @Override
    public void initialize(BootstrapRegistry registry) {
        BootstrapRun run = BootstrapRun.start(settings);
        if (run == null) {
            return; // the support jar without the starter: nothing to configure from
        }
        registry.registerIfAbsent(BootstrapRun.class, BootstrapRegistry.InstanceSupplier.of(run));
        registry.registerIfAbsent(AwsCredentialsProvider.class, context -> run.provider(
                () -> context.isRegistered(Binder.class) ? context.get(Binder.class) : null));
        registry.addCloseListener(event -> run.closed(event.getApplicationContext()));
    }
}
