package dev.irsa.micronaut.internal;

import dev.irsa.core.SettingsSource;
import io.micronaut.core.value.PropertyResolver;
import java.util.Optional;

/**
 * The library's settings ({@code AWS_ROLE_ARN}, {@code aws.region}, ...) read from Micronaut's environment under
 * their exact names first (so a test or an application can supply them as properties), then from the real system
 * properties and environment variables.
 */
public final class MicronautSettings implements SettingsSource {
    private final PropertyResolver properties;

    /**
     * Creates a settings source over Micronaut's properties.
     *
     * @param properties the application's environment
     */
    public MicronautSettings(PropertyResolver properties) {
        this.properties = properties;
    }

    @Override
    public Optional<String> systemProperty(String name) {
        Optional<String> v = properties.getProperty(name, String.class);
        return v.isPresent() ? v : SettingsSource.system().systemProperty(name);
    }

    @Override
    public Optional<String> environmentVariable(String name) {
        Optional<String> v = properties.getProperty(name, String.class);
        return v.isPresent() ? v : SettingsSource.system().environmentVariable(name);
    }
}
