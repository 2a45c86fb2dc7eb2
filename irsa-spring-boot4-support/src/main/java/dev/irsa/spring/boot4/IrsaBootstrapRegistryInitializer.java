package dev.irsa.spring.boot4;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import org.springframework.boot.bootstrap.BootstrapRegistry;
import org.springframework.boot.bootstrap.BootstrapRegistryInitializer;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Puts an IRSA {@link AwsCredentialsProvider} into Spring Boot 4's bootstrap registry, where config-data imports
 * ({@code spring.config.import=aws-parameterstore:...}, {@code aws-secretsmanager:...}) look for credentials before
 * the application context exists. Registered only when the pod's IRSA variables are set and {@code irsa.enabled}
 * (system property) / {@code IRSA_ENABLED} is not {@code false}; a provider registered earlier wins. The provider
 * shares its session with the application context's one when they are configured alike.
 */
public final class IrsaBootstrapRegistryInitializer implements BootstrapRegistryInitializer {
    private final SettingsSource settings;

    public IrsaBootstrapRegistryInitializer() {
        this(SettingsSource.system());
    }

    IrsaBootstrapRegistryInitializer(SettingsSource settings) {
        this.settings = settings;
    }

    @Override
    public void initialize(BootstrapRegistry registry) {
        boolean disabled = settings.first("irsa.enabled", "IRSA_ENABLED").map("false"::equalsIgnoreCase).orElse(false);
        if (disabled || !IrsaConfig.isConfigured(settings)) {
            return;
        }
        registry.registerIfAbsent(AwsCredentialsProvider.class,
                context -> IrsaCredentialsProvider.builder().settings(settings).build());
    }
}
