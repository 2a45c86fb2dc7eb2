package dev.irsa.quarkus.internal;

import dev.irsa.core.SettingsSource;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The library's system properties and environment variables read through Quarkus's configuration, which holds both
 * (and lets tests and {@code QuarkusTestResourceLifecycleManager}s supply {@code AWS_ROLE_ARN} and the like as plain
 * properties).
 */
public final class ConfigSettings implements SettingsSource {
    /** The one instance; reads the current configuration at each call. */
    public static final ConfigSettings INSTANCE = new ConfigSettings();

    private ConfigSettings() {
    }

    @Override
    public Optional<String> systemProperty(String name) {
        return ConfigProvider.getConfig().getOptionalValue(name, String.class);
    }

    @Override
    public Optional<String> environmentVariable(String name) {
        return ConfigProvider.getConfig().getOptionalValue(name, String.class);
    }

    @Override
    public String toString() {
        return "Quarkus configuration";
    }
}
