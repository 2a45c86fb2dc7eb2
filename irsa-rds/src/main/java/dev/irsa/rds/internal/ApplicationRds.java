package dev.irsa.rds.internal;

import dev.irsa.core.SettingsSource;
import dev.irsa.rds.RdsAuthTokens;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Supplier;

/**
 * What a framework (irsa-rds's Spring glue) hands to the classes that a pool creates by name, with no arguments
 * ({@link dev.irsa.rds.hikari.RdsIamHikariCredentialsProvider}): the application's settings and its token source, so
 * that they sign for the application's {@code irsa.rds.*} with the application's credentials provider (one session),
 * not with a provider of their own from the process environment. Registered while an application context lives; the
 * most recent registration still open wins (a child context over its parent). Not part of the stable API.
 */
public final class ApplicationRds {
    private static final Deque<Binding> bindings = new ConcurrentLinkedDeque<>();

    private ApplicationRds() {
    }

    /**
     * An application's settings and token source.
     *
     * @param settings where {@code irsa.rds.host} and the rest are read (the application's environment)
     * @param tokens the application's token source, obtained when a pool first needs it; not closed by the pool
     * @param where how to tell the user where to set what is missing, e.g. "the Spring application's properties"
     */
    public record Binding(SettingsSource settings, Supplier<RdsAuthTokens> tokens, String where) {
        /**
         * Checks the parts.
         *
         * @param settings where {@code irsa.rds.host} and the rest are read
         * @param tokens the application's token source
         * @param where where to set what is missing, for messages
         */
        public Binding {
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(tokens, "tokens");
            Objects.requireNonNull(where, "where");
        }
    }

    /**
     * Registers {@code binding} until the returned handle is closed.
     *
     * @param binding the application's settings and tokens
     * @return closes the registration
     */
    public static AutoCloseable register(Binding binding) {
        Objects.requireNonNull(binding, "binding");
        bindings.push(binding);
        return () -> bindings.remove(binding);
    }

    /** {@return the most recent registration still open, if any} */
    public static Optional<Binding> current() {
        return Optional.ofNullable(bindings.peekFirst());
    }
}
