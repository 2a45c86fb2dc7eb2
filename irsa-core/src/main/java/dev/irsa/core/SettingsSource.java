package dev.irsa.core;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where configuration comes from besides the builder: Java system properties and environment variables.
 * The library reads both only through this interface, so tests (and hosts with their own configuration)
 * can supply them without touching the process environment. Implementations must be thread-safe.
 * @since 0.1.0
 */
public interface SettingsSource {
    /**
     * A Java system property, e.g. {@code aws.roleArn}.
     *
     * @param name the property name
     * @return the property's value, or empty when it is not set
     */
    Optional<String> systemProperty(String name);

    /**
     * An environment variable, e.g. {@code AWS_ROLE_ARN}.
     *
     * @param name the variable name
     * @return the variable's value, or empty when it is not set
     */
    Optional<String> environmentVariable(String name);

    /**
     * The real JVM system properties and process environment.
     *
     * @return the settings source backed by {@link System#getProperty(String)} and {@link System#getenv(String)}
     */
    static SettingsSource system() {
        return SystemSettings.INSTANCE;
    }

    /**
     * Fixed maps, for tests and embedding.
     *
     * @param environment the environment variables (copied)
     * @param systemProperties the system properties (copied)
     * @return a settings source that reads only these maps
     */
    static SettingsSource of(Map<String, String> environment, Map<String, String> systemProperties) {
        Map<String, String> env = Map.copyOf(environment);
        Map<String, String> props = Map.copyOf(systemProperties);
        return new SettingsSource() {
            @Override
            public Optional<String> systemProperty(String name) {
                return Optional.ofNullable(props.get(name));
            }

            @Override
            public Optional<String> environmentVariable(String name) {
                return Optional.ofNullable(env.get(name));
            }
        };
    }

    /**
     * Only these environment variables and no system properties.
     *
     * @param environment the environment variables (copied)
     * @return a settings source that reads only {@code environment}
     */
    static SettingsSource ofEnvironment(Map<String, String> environment) {
        return of(environment, Map.of());
    }

    /**
     * The first non-blank value of: the system property (if {@code property} is not null), then each
     * environment variable in order.
     *
     * @param property the system property to try first, or null
     * @param environmentVariables the environment variables to try next, in order
     * @return the first non-blank value, trimmed, or empty
     */
    default Optional<String> first(String property, String... environmentVariables) {
        if (property != null) {
            Optional<String> v = systemProperty(property).map(String::trim).filter(s -> !s.isEmpty());
            if (v.isPresent()) {
                return v;
            }
        }
        for (String e : environmentVariables) {
            Optional<String> v = environmentVariable(Objects.requireNonNull(e)).map(String::trim).filter(s -> !s.isEmpty());
            if (v.isPresent()) {
                return v;
            }
        }
        return Optional.empty();
    }
}

/** The one place in the library that reads the process environment and system properties. */
final class SystemSettings implements SettingsSource {
    static final SystemSettings INSTANCE = new SystemSettings();

    private SystemSettings() {}

    @Override
    public Optional<String> systemProperty(String name) {
        return Optional.ofNullable(System.getProperty(name));
    }

    @Override
    public Optional<String> environmentVariable(String name) {
        return Optional.ofNullable(System.getenv(name));
    }

    @Override
    public String toString() {
        return "SettingsSource.system()";
    }
}
