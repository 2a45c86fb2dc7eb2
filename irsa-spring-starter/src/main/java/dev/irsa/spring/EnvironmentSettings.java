package dev.irsa.spring;

import dev.irsa.core.SettingsSource;
import java.util.Optional;
import org.springframework.core.env.Environment;

/**
 * The library's settings read through Spring's {@link Environment}, which already holds system properties and
 * environment variables (and lets tests supply them as plain properties).
 */
final class EnvironmentSettings implements SettingsSource {
    private final Environment environment;

    EnvironmentSettings(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Optional<String> systemProperty(String name) {
        return Optional.ofNullable(environment.getProperty(name));
    }

    @Override
    public Optional<String> environmentVariable(String name) {
        return Optional.ofNullable(environment.getProperty(name));
    }
}
