package dev.irsa.core.internal;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.IrsaSession;
import dev.irsa.core.PodIdentityConfig;
import java.lang.invoke.MethodHandles;
import java.util.Objects;

/**
 * Holds on a session kept in a given {@link SessionRegistry} rather than the process-wide one, for this project's
 * integrations (an SDK provider whose session is its own, yet shared by its own holds: a call answered across a close,
 * a use after it, which so go on from one another and count on exactly once). Here rather than on {@link IrsaSession}
 * so that no stable API names the registry, an internal type.
 */
public final class SessionHolds {
    /** How {@link IrsaSession} opens a hold in a registry: installed by it, once, when it is initialised. */
    public interface Opener {
        /**
         * A hold on {@code registry}'s session of this IRSA configuration.
         *
         * @param config   the configuration
         * @param registry where the session is kept
         * @return a new hold
         */
        IrsaSession open(IrsaConfig config, SessionRegistry registry);

        /**
         * A hold on {@code registry}'s session of this Pod Identity configuration.
         *
         * @param config   the configuration
         * @param registry where the session is kept
         * @return a new hold
         */
        IrsaSession open(PodIdentityConfig config, SessionRegistry registry);
    }

    private static volatile Opener opener;

    private SessionHolds() {
    }

    /**
     * For {@link IrsaSession}'s initialiser only: how holds are opened. Public only because IrsaSession is in another
     * package: a call from anywhere else throws, as does a second call, so nothing replaces the opener or installs one
     * ahead of IrsaSession (whose initialiser would then fail, leaving the class unusable for the JVM's life).
     *
     * @param caller IrsaSession's own {@code MethodHandles.lookup()}, which shows the call is its
     * @param o      the opener
     * @throws IllegalStateException if {@code caller} is not IrsaSession's full-privilege lookup, or if one is
     *                               installed already
     */
    public static synchronized void install(MethodHandles.Lookup caller, Opener o) {
        // A lookup rather than a stack walk: walking with class references needs a permission that a SecurityManager's
        // policy seldom grants, and IrsaSession's initialiser failing leaves it unusable. Only IrsaSession's own code
        // holds a lookup on it with private access (short of deep reflection, which could replace the opener anyway).
        Class<?> c = caller.lookupClass();
        if (!c.getName().equals(IrsaSession.class.getName())
                || c.getClassLoader() != SessionHolds.class.getClassLoader()
                || (caller.lookupModes() & MethodHandles.Lookup.PRIVATE) == 0) {
            throw new IllegalStateException("SessionHolds' opener is installed by IrsaSession's initialiser only, not"
                    + " with a lookup on " + c.getName());
        }
        if (opener != null) {
            throw new IllegalStateException("SessionHolds' opener is installed already");
        }
        opener = Objects.requireNonNull(o, "opener");
    }

    /**
     * A hold on the session for this configuration kept in {@code registry}, with eager start as configured.
     *
     * @param config   the IRSA configuration
     * @param registry where the session is kept ({@link SessionRegistry#create()}, or the global one)
     * @return a new hold on that registry's session of this configuration
     */
    public static IrsaSession shared(IrsaConfig config, SessionRegistry registry) {
        return opener().open(config, Objects.requireNonNull(registry, "registry"));
    }

    /**
     * As {@link #shared(IrsaConfig, SessionRegistry)}, for EKS Pod Identity.
     *
     * @param config   the Pod Identity configuration
     * @param registry where the session is kept
     * @return a new hold on that registry's session of this configuration
     */
    public static IrsaSession shared(PodIdentityConfig config, SessionRegistry registry) {
        return opener().open(config, Objects.requireNonNull(registry, "registry"));
    }

    private static Opener opener() {
        Opener o = opener;
        if (o == null) {
            try {
                // IrsaSession installs the opener when initialised; nothing may have touched it yet
                MethodHandles.lookup().ensureInitialized(IrsaSession.class);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            o = opener;
            if (o == null) { // IrsaSession initialised where this class was not (a native image told apart the two)
                throw new IllegalStateException("IrsaSession was initialised without installing SessionHolds' opener:"
                        + " initialise dev.irsa.core.IrsaSession and dev.irsa.core.internal.SessionHolds alike");
            }
        }
        return o;
    }
}
