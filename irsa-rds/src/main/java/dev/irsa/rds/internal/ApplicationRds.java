package dev.irsa.rds.internal;

import dev.irsa.core.SettingsSource;
import dev.irsa.rds.RdsAuthTokens;
import dev.irsa.rds.RdsEndpoint;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * What a framework (irsa-rds's Spring glue) hands to the classes that a pool creates by name, with no arguments
 * ({@link dev.irsa.rds.hikari.RdsIamHikariCredentialsProvider}): the application's settings and its token source, so
 * that they sign for the application's {@code irsa.rds.*} with the application's credentials provider (one session),
 * not with a provider of their own from the process environment.
 *
 * <p>Each application binds the instances in its own pools ({@link #bind}), from its own post-processor: with two
 * application contexts alive in one JVM, neither takes the other's settings or token source. While any application
 * is registered, an instance created by name waits for that binding instead of reading the process's settings; one
 * that no application binds (a pool built outside the application's beans) takes, when first used, the one
 * application registered then, fails when there are several (which one is ambiguous), and takes the process's
 * settings when there is none. Not part of the stable API.
 */
public final class ApplicationRds {
    private static final List<Binding> bindings = new CopyOnWriteArrayList<>();
    /** Binds one instance; set by the class whose instances are bound, when it loads. */
    private static volatile BiFunction<Object, Binding, RdsEndpoint> binder;

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
        bindings.add(binding);
        return () -> bindings.remove(binding);
    }

    /** {@return whether any application is registered: then an instance created by name waits to be bound} */
    public static boolean any() {
        return !bindings.isEmpty();
    }

    /**
     * The application for an instance no application has bound, now that it is first used.
     *
     * @param what the instance, for the message
     * @return the one application registered, or empty when none is
     * @throws IllegalStateException when several are (then which one is ambiguous)
     */
    public static Optional<Binding> only(String what) {
        List<Binding> now = List.copyOf(bindings);
        if (now.size() > 1) {
            throw new IllegalStateException(what + " was created by class name (credentialsProviderClassName) in a pool"
                    + " that no application context has bound, and " + now.size() + " contexts with irsa-rds live in"
                    + " this JVM: whose irsa.rds.* settings and credentials it should sign with is ambiguous. Define"
                    + " the pool as a bean of its context (an unstarted HikariDataSource), or build it with"
                    + " RdsIamHikariCredentials.install(config, tokens, endpoint).");
        }
        return now.stream().findFirst();
    }

    /**
     * Sets how instances are bound; called once by the class whose instances are bound, when it loads.
     *
     * @param b binds an instance to an application and gives the endpoint it signs for
     */
    public static void binder(BiFunction<Object, Binding, RdsEndpoint> b) {
        binder = Objects.requireNonNull(b, "binder");
    }

    /**
     * Binds {@code provider}, a {@link dev.irsa.rds.hikari.RdsIamHikariCredentialsProvider} in one of the application's
     * pools, to the application: it signs for the application's settings with its token source.
     *
     * @param provider the instance the pool created by name
     * @param binding the application that owns the pool
     * @return the endpoint it signs for
     * @throws IllegalStateException when a setting is missing or malformed (the message names it), or the instance
     *         already signs for another application
     */
    public static RdsEndpoint bind(Object provider, Binding binding) {
        return binder.apply(provider, binding); // set: the instance exists, so its class has loaded
    }
}
