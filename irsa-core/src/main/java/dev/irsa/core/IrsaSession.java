package dev.irsa.core;

import dev.irsa.core.internal.ContainerCredentialsExchange;
import dev.irsa.core.internal.CredentialExchange;
import dev.irsa.core.internal.RefreshEngine;
import dev.irsa.core.internal.SessionHolds;
import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.core.internal.SharedScheduler;
import dev.irsa.core.internal.StsAssumeRoleExchange;
import dev.irsa.core.internal.StsWebIdentityExchange;
import dev.irsa.core.internal.SessionKey;
import java.lang.invoke.MethodHandles;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IRSA credentials for one role: cached, refreshed in the background ahead of expiry (one STS call per refresh
 * however many threads ask), served through STS failures until they really expire.
 *
 * <pre>{@code
 * try (IrsaSession session = IrsaSession.create()) {          // from the pod's environment
 *     IrsaCredentials c = session.credentials();
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #credentials()} does not block while cached credentials are outside the mandatory
 * window (the common case: one volatile read, no allocation); it blocks, bounded by
 * {@link RefreshPolicy#waitTimeout()}, for the first credentials and inside the mandatory window.
 * {@link #credentialsAsync()} never blocks. {@link #close()} stops the refresh and releases the shared
 * scheduler's threads once no session uses them.
 * @since 0.1.0
 */
public final class IrsaSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IrsaSession.class);

    static {
        // Holds in a registry other than the process-wide one, for this project's integrations: kept off this API
        SessionHolds.install(MethodHandles.lookup(), new SessionHolds.Opener() {
            @Override
            public IrsaSession open(IrsaConfig config, SessionRegistry registry) {
                return IrsaSession.open(new Irsa(config), registry, Wiring.PRODUCTION, config.eagerStart());
            }

            @Override
            public IrsaSession open(PodIdentityConfig config, SessionRegistry registry) {
                return IrsaSession.open(new Pod(config), registry, Wiring.PRODUCTION, config.eagerStart());
            }
        });
    }

    /** What a Pod Identity session is named by in messages and {@link SessionState#roleArn()}. */
    static final String POD_IDENTITY_LABEL = "EKS Pod Identity";

    /** Where this session's credentials come from, how it is keyed, and how its engine is made. */
    private final Spec spec;
    private final RefreshEngine engine;
    private final Runnable release;
    /** Whether the engine is this handle's own (closed with it), not a hold on a shared one. */
    private final boolean own;
    /** Where the shared engine held is kept (null for an engine of its own): a session chained from it is kept there too. */
    private final SessionRegistry registry;
    /** The exchange and scheduler this session was made with: a session chained from it shares them. */
    private final Wiring wiring;
    /** The engine while open, null once closed: the hot path's one read of this handle. */
    private volatile RefreshEngine active;
    /** What this session, if its own, left when it closed: for {@link #resumeFrom}. */
    private volatile RefreshEngine.Kept left;

    private IrsaSession(Spec spec, Wiring wiring, RefreshEngine engine, SessionRegistry registry, Runnable release) {
        this.spec = spec;
        this.wiring = wiring;
        this.engine = engine;
        this.own = registry == null;
        this.registry = registry;
        this.active = engine;
        this.release = release;
    }

    /**
     * One credential source's configuration, typed, and what the one wiring path ({@link #open}) needs of it: the
     * registry key, what the engine is named by and asks, the production exchange, and the line logged once per
     * session.
     */
    private sealed interface Spec {
        SessionKey key();

        /** The role ARN, or {@value #POD_IDENTITY_LABEL}: what messages and the state name the session by. */
        String label();

        URI endpoint();

        RefreshPolicy refreshPolicy();

        Clock clock();

        CredentialSource engineSource();

        boolean eager();

        List<RefreshListener> listeners();

        /** The exchange a production session uses. */
        CredentialExchange exchange();

        /** Run when the session's engine closes, after its scheduler is released; null for nothing. */
        default Runnable onClose() {
            return null;
        }

        /** Told once the engine is constructed: from then on the engine runs {@link #onClose()} when it closes. */
        default void built() {
        }

        void log(boolean resuming);
    }

    /** An IRSA ({@code AssumeRoleWithWebIdentity}) session. */
    private record Irsa(IrsaConfig config, SessionKey key) implements Spec {
        Irsa(IrsaConfig config) {
            this(config, SessionKey.of(config));
        }

        public String label() {
            return config.roleArn().toString();
        }

        public URI endpoint() {
            return config.stsEndpoint();
        }

        public RefreshPolicy refreshPolicy() {
            return config.refreshPolicy();
        }

        public Clock clock() {
            return config.clock();
        }

        public CredentialSource engineSource() {
            return CredentialSource.WEB_IDENTITY;
        }

        public boolean eager() {
            return config.eagerStart();
        }

        public List<RefreshListener> listeners() {
            return config.listeners();
        }

        public CredentialExchange exchange() {
            return new StsWebIdentityExchange(config);
        }

        /** Which endpoint the token goes to is the first thing to check when something is off; resuming only at DEBUG. */
        public void log(boolean resuming) {
            if (resuming) {
                log.debug("IRSA session for {} resumes the credentials of its previous session (STS endpoint {},"
                        + " session name {})", config.roleArn(), config.stsEndpoint(), config.roleSessionName());
                return;
            }
            if (config.regionalEndpointsLegacyRequested()) {
                log.info("AWS_STS_REGIONAL_ENDPOINTS=legacy is set; irsa-java uses the regional endpoint {} anyway (the"
                        + " global endpoint is a single point of failure)", config.stsEndpoint());
            }
            log.info("IRSA session for {} uses STS endpoint {} (session name {})", config.roleArn(),
                    config.stsEndpoint(), config.roleSessionName());
        }
    }

    /** An EKS Pod Identity session: credentials from the node's agent. */
    private record Pod(PodIdentityConfig config, SessionKey key) implements Spec {
        Pod(PodIdentityConfig config) {
            this(config, SessionKey.of(config));
        }

        public String label() {
            return POD_IDENTITY_LABEL;
        }

        public URI endpoint() {
            return config.endpoint();
        }

        public RefreshPolicy refreshPolicy() {
            return config.refreshPolicy();
        }

        public Clock clock() {
            return config.clock();
        }

        public CredentialSource engineSource() {
            return CredentialSource.POD_IDENTITY;
        }

        public boolean eager() {
            return config.eagerStart();
        }

        public List<RefreshListener> listeners() {
            return config.listeners();
        }

        public CredentialExchange exchange() {
            return new ContainerCredentialsExchange(config);
        }

        /** At INFO once per session; a session that resumes an earlier one's credentials only at DEBUG (no news). */
        public void log(boolean resuming) {
            String message = "EKS Pod Identity session uses the agent at {} (token from {})";
            String token = config.tokenFile().map(Object::toString).orElse("AWS_CONTAINER_AUTHORIZATION_TOKEN");
            if (resuming) {
                log.debug(message, config.endpoint(), token);
            } else {
                log.info(message, config.endpoint(), token);
            }
        }
    }

    /**
     * A role chained ({@code sts:AssumeRole}) from another session.
     *
     * @param config the chained session's view as an IRSA configuration (what {@link #config()} returns)
     * @param base what AssumeRole is sent with: the source's IRSA configuration, or the one made for a Pod Identity
     *             source
     * @param sourceLabel what the source session is named by
     * @param source the source session's credentials, signed with
     * @param onClose what the engine releases when it closes (a shared chained session's own hold on its source)
     * @param made set once an engine was constructed from this record (so {@code onClose} is the engine's to run)
     */
    private record Chained(IrsaConfig config, IrsaConfig base, ChainedRoleConfig target, String sourceLabel,
                           SessionKey key, Supplier<CompletableFuture<IrsaCredentials>> source, Runnable onClose,
                           AtomicBoolean made) implements Spec {
        public String label() {
            return target.roleArn().toString();
        }

        public URI endpoint() {
            return StsAssumeRoleExchange.endpoint(target, base);
        }

        public RefreshPolicy refreshPolicy() {
            return target.refreshPolicy();
        }

        public Clock clock() {
            return base.clock();
        }

        public CredentialSource engineSource() {
            return CredentialSource.WEB_IDENTITY;
        }

        /** Eager as the source session: fail at boot for either role. */
        public boolean eager() {
            return config.eagerStart();
        }

        /** The source's listeners hear the source session only. */
        public List<RefreshListener> listeners() {
            return List.of();
        }

        public CredentialExchange exchange() {
            return new StsAssumeRoleExchange(target, base, sourceLabel, source);
        }

        public void built() {
            made.set(true);
        }

        public void log(boolean resuming) {
            if (resuming) {
                log.debug("IRSA chained session: {} assumes {}, resuming its previous session's credentials",
                        sourceLabel, target.roleArn());
            } else {
                log.info("IRSA chained session: {} assumes {}", sourceLabel, target.roleArn());
            }
        }
    }

    /**
     * Where a session's exchange and scheduler come from: {@link #PRODUCTION}, the source's own exchange and the
     * process's shared scheduler; or a test's own, on the same wiring path otherwise.
     */
    record Wiring(CredentialExchange exchange, dev.irsa.core.internal.Scheduler scheduler) {
        static final Wiring PRODUCTION = new Wiring(null, null);
    }

    /**
     * The one wiring path of every session: of its own ({@code registry} null) or a hold on the shared one of its key
     * in {@code registry}, with the source's listeners added, started at once when {@code eager}.
     */
    private static IrsaSession open(Spec spec, SessionRegistry registry, Wiring wiring, boolean eager) {
        return open(spec, registry, wiring, eager, spec.listeners());
    }

    /** {@link #open(Spec, SessionRegistry, Wiring, boolean)} with these listeners (none for a chained session's own hold). */
    private static IrsaSession open(Spec spec, SessionRegistry registry, Wiring wiring, boolean eager,
                                    List<RefreshListener> listeners) {
        IrsaSession session;
        if (registry != null) {
            SessionKey key = spec.key();
            SessionRegistry.Entry entry = registry.acquire(key, resuming -> engine(spec, wiring, resuming));
            listeners.forEach(entry.engine()::addListener);
            session = new IrsaSession(spec, wiring, entry.engine(), registry, () -> {
                listeners.forEach(entry.engine()::removeListener);
                registry.release(key, entry);
            });
        } else {
            RefreshEngine engine = engine(spec, wiring, false);
            listeners.forEach(engine::addListener);
            session = new IrsaSession(spec, wiring, engine, null, engine::close);
        }
        if (eager) {
            try {
                session.engine.start();
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
        }
        return session;
    }

    private static RefreshEngine engine(Spec spec, Wiring wiring, boolean resuming) {
        spec.log(resuming);
        Runnable after = spec.onClose();
        RefreshEngine engine;
        if (wiring.exchange() != null) {
            engine = new RefreshEngine(spec.label(), spec.endpoint(), spec.refreshPolicy(), spec.clock(),
                    ThreadLocalRandom.current(), wiring.exchange(), wiring.scheduler(), after, spec.engineSource());
        } else {
            SharedScheduler scheduler = SharedScheduler.acquire();
            try {
                engine = new RefreshEngine(spec.label(), spec.endpoint(), spec.refreshPolicy(), spec.clock(),
                        ThreadLocalRandom.current(), spec.exchange(), scheduler, after == null ? scheduler::release
                        : () -> {
                            scheduler.release();
                            after.run();
                        }, spec.engineSource());
            } catch (RuntimeException e) {
                scheduler.release();
                throw e;
            }
        }
        spec.built(); // from here on the engine's close runs onClose
        return engine;
    }

    /**
     * A session configured from the environment and system properties: IRSA ({@link IrsaConfig}) or EKS Pod
     * Identity ({@link PodIdentityConfig}), chosen by {@link CredentialSource#detect(SettingsSource)}; with
     * neither configured, fails as IRSA does, naming the missing variables.
     *
     * @return a new session of its own
     * @throws IrsaConfigurationException if neither source is configured or the configuration is invalid
     */
    public static IrsaSession create() {
        if (CredentialSource.detect(SettingsSource.system()).orElse(null) == CredentialSource.POD_IDENTITY) {
            return create(PodIdentityConfig.builder().build());
        }
        return create(IrsaConfig.builder().build());
    }

    /**
     * An EKS Pod Identity session of its own: the same engine, guarantees, events and state as IRSA, credentials
     * from the node's Pod Identity agent.
     *
     * @param config the Pod Identity configuration
     * @return a new session of its own
     * @throws IrsaException if {@link PodIdentityConfig#eagerStart()} is set and no credentials could be had
     */
    public static IrsaSession create(PodIdentityConfig config) {
        return open(new Pod(config), null, Wiring.PRODUCTION, config.eagerStart());
    }

    /**
     * A hold on the process-wide Pod Identity session for this configuration (see {@link #shared(IrsaConfig)}).
     *
     * @param config the Pod Identity configuration
     * @return a new hold on the shared session; closing it releases the hold
     */
    public static IrsaSession shared(PodIdentityConfig config) {
        return open(new Pod(config), SessionRegistry.global(), Wiring.PRODUCTION, config.eagerStart());
    }

    /** For tests that supply their own exchange and scheduler; not part of the stable API. */
    static IrsaSession create(PodIdentityConfig config, CredentialExchange exchange, dev.irsa.core.internal.Scheduler scheduler) {
        return open(new Pod(config), null, new Wiring(exchange, scheduler), config.eagerStart());
    }

    

    /**
     * A session of its own for this configuration.
     *
     * @param config the IRSA configuration
     * @return a new session of its own
     * @throws IrsaException if {@link IrsaConfig#eagerStart()} is set and no credentials could be had
     */
    public static IrsaSession create(IrsaConfig config) {
        return open(new Irsa(config), null, Wiring.PRODUCTION, config.eagerStart());
    }

    /**
     * A hold on the process-wide session for this configuration (role, token file, session name, endpoint,
     * duration, session policy, refresh policy, STS client): providers built alike share one session and one
     * refresh. The session is closed, and its threads released, when its last holder closes; its credentials are
     * kept (data only) so that the next hold for this configuration starts from them while they are valid past the
     * mandatory window, without an STS call.
     *
     * @param config the IRSA configuration
     * @return a new hold on the shared session; closing it releases the hold
     */
    public static IrsaSession shared(IrsaConfig config) {
        return open(new Irsa(config), SessionRegistry.global(), Wiring.PRODUCTION, config.eagerStart());
    }

    /** For tests: a hold on the process-wide session of this configuration, with their own exchange and scheduler. */
    static IrsaSession shared(IrsaConfig config, CredentialExchange exchange, dev.irsa.core.internal.Scheduler scheduler) {
        return open(new Irsa(config), SessionRegistry.global(), new Wiring(exchange, scheduler), config.eagerStart());
    }

    /** For tests and embedders that supply their own exchange and scheduler; not part of the stable API. */
    static IrsaSession create(IrsaConfig config, CredentialExchange exchange, dev.irsa.core.internal.Scheduler scheduler) {
        return open(new Irsa(config), null, new Wiring(exchange, scheduler), config.eagerStart());
    }

    

    /**
     * Valid credentials.
     *
     * @return credentials that are not about to expire
     * @throws IrsaException when none can be had: the message says why and what to check
     */
    public IrsaCredentials credentials() {
        RefreshEngine e = active;
        if (e == null) {
            throw closedException();
        }
        return e.credentials();
    }

    /**
     * Valid credentials that, if at all possible, stay valid for at least {@code minValidity}: for signing something
     * that is checked later, such as an RDS IAM authentication token. When the cached credentials are valid that long
     * this is {@link #credentials()}; otherwise it refreshes them first (joining a refresh under way) and blocks for
     * it at most the policy's {@link RefreshPolicy#waitTimeout() wait timeout}, never past the cached credentials'
     * expiry. The result can still be valid for less than asked (STS failing, or credentials that never live that
     * long): check {@link IrsaCredentials#expiration()}.
     *
     * <p>It never causes an STS call per call: {@code minValidity} is capped to half the life the cached credentials
     * had when they were obtained, and while the session backs off after a failed refresh nothing is started before
     * the next retry is due (the cached credentials are returned while valid). Thread-safe.
     *
     * @param minValidity how long the credentials should stay valid; zero or negative asks for nothing more
     * @return valid credentials, valid for at least {@code minValidity} when they could be had
     * @throws IrsaException when no valid credentials can be had: the message says why and what to check
     * @throws NullPointerException if {@code minValidity} is null
     * @since 0.1.0
     */
    public IrsaCredentials credentials(Duration minValidity) {
        Objects.requireNonNull(minValidity, "minValidity");
        RefreshEngine e = active;
        if (e == null) {
            throw closedException();
        }
        return e.credentials(minValidity);
    }

    /**
     * Credentials without blocking the calling thread: completed at once when cached.
     *
     * @return a future completed with valid credentials, or exceptionally with an {@link IrsaException}
     */
    public CompletableFuture<IrsaCredentials> credentialsAsync() {
        RefreshEngine e = active;
        if (e == null) {
            return CompletableFuture.failedFuture(closedException());
        }
        return e.credentialsAsync();
    }

    private IrsaException closedException() {
        return new IrsaException(IrsaException.Kind.CLOSED, null, "This IRSA session for " + label() + " is closed", null);
    }

    private String label() {
        return spec.label();
    }

    /**
     * A session for another role, assumed with {@code sts:AssumeRole} using this session's credentials (role
     * chaining, e.g. into another account). It refreshes on its own schedule on the same engine and scheduler,
     * waiting for this session's credentials without holding a thread. Closing it does not close this session.
     *
     * <p>From a hold on a shared session ({@link #shared(IrsaConfig)}, {@link #shared(PodIdentityConfig)}) the
     * chained session is shared too, as the base ones are: every hold chaining the same target (role, session name,
     * external ID, policies, duration, refresh policy, STS endpoint) from the same shared session is a hold on one
     * chained session, one AssumeRole per refresh in the process; it holds a share of the source session of its own,
     * so it goes on after this handle closes, and its last holder's close releases both (its credentials are kept for
     * the next hold, as the base ones are). From a session of its own, the chained session is of its own too and
     * signs with this handle's credentials: once this session is closed, its refreshes fail for good (no retries) and
     * it serves what it holds until expiry.
     * With {@link IrsaConfig#eagerStart()} set on this session's configuration, the chained role's credentials are
     * fetched here too, and a failure (the target's trust policy refusing, say) throws here.
     *
     * <p>From an EKS Pod Identity session, AssumeRole goes to STS in the target's
     * {@link ChainedRoleConfig#stsRegion() stsRegion}, else in the region set for the pod (AWS_REGION,
     * AWS_DEFAULT_REGION, aws.region; an STS endpoint override applies), signed with the agent's credentials. The
     * chained session's name is the target's, else the one derived as for IRSA (AWS_ROLE_SESSION_NAME, else the
     * pod's host name): fixed, unlike the random one EKS gives each Pod Identity session.
     *
     * @param target the role to assume from this session's role
     * @return a new session for {@code target}
     * @throws IrsaConfigurationException if this is an EKS Pod Identity session and no STS region is set (or it is
     *                                    not in the target role's partition)
     * @throws IrsaException if eager start is set and the chained role's credentials could not be had; or, of kind
     *                       {@link IrsaException.Kind#CLOSED CLOSED}, if this handle is closed (whatever the handle:
     *                       shared or of its own, IRSA, Pod Identity or chained)
     */
    public IrsaSession assumeRole(ChainedRoleConfig target) {
        Objects.requireNonNull(target, "target");
        if (active == null) {
            throw closedException(); // a closed handle chains nothing: its record may name a closed source
        }
        // From Pod Identity: STS of the target's region (or AWS_REGION), signed with the agent's credentials
        IrsaConfig base = spec instanceof Pod pod ? pod.config().chainingConfig(target) : config();
        IrsaConfig view = base.toBuilder().roleArn(target.roleArn().toString())
                .roleSessionName(target.roleSessionName().orElse(base.roleSessionName()))
                .refreshPolicy(target.refreshPolicy()).build(); // eager as this session: fail at boot for either role
        SessionKey key = SessionKey.chained(spec.key(), target, base);
        if (own) {
            // Of its own, as this session is: it signs with this handle's credentials, and nothing else joins it
            return open(new Chained(view, base, target, label(), key, this::credentialsAsync, null,
                    new AtomicBoolean()), null, Wiring.PRODUCTION, view.eagerStart());
        }
        // Shared, as this session is: one chained session per source session and target in the process, holding a
        // share of the source session of its own (so it outlives this handle); released when it closes. Taken while
        // this handle is open (close() waits for the lock), so it is a share of this handle's live session. It hears
        // no listener: this handle's listeners are this handle's, removed when it closes.
        IrsaSession source;
        synchronized (this) {
            if (active == null) {
                throw closedException();
            }
            source = open(spec, registry, wiring, false, List.of());
        }
        Chained chained = new Chained(view, base, target, label(), key, source::credentialsAsync, source::close,
                new AtomicBoolean());
        IrsaSession session;
        try {
            session = open(chained, registry, Wiring.PRODUCTION, view.eagerStart());
        } catch (RuntimeException | Error e) {
            // Once an engine was made from this record the hold is its own, closed when it closes (at once if no one
            // else holds it, else when they are done): closing it here would leave a live engine signing with a
            // closed session. Otherwise (joined a live chained session, or none was made) the hold is ours to close.
            if (!chained.made().get()) {
                source.close();
            }
            throw e;
        }
        if (!chained.made().get()) {
            source.close(); // joined a live chained session, which holds a share of the source session already
        }
        return session;
    }

    /**
     * Goes on from where {@code previous}, a closed session of this same configuration, left off, as if it had never
     * closed: an adapter that closed its session and takes one up again (the SDK closes providers with their clients)
     * then makes no STS call. It takes up only what {@code previous} would itself have gone on serving: credentials
     * whose last refresh succeeded, valid past the mandatory window of their real lifetime, with their original
     * refresh point; and only into a session that has done nothing yet. Otherwise nothing happens (the first call
     * asks STS). A hold on a shared session leaves nothing here: {@link #shared(IrsaConfig)} already hands what its
     * last holder left to the next session of its configuration. Never blocks.
     *
     * <p>Whatever is taken up, the counts in {@link SessionState} ({@code refreshes}, {@code failedRefreshes},
     * {@code callersWaited}) go on from {@code previous}'s session's, so a meter reading them never goes back.
     *
     * @param previous a closed session of the same configuration (for a chained session: chained the same way)
     * @since 0.1.0
     */
    public void resumeFrom(IrsaSession previous) {
        RefreshEngine e = active;
        if (e == null || previous == null || previous == this || !spec.key().equals(previous.spec.key())) {
            return;
        }
        e.seed(previous.left); // null unless previous was a session of its own, closed after a successful refresh
        if (own && previous.own) {
            // counters stay monotonic; a shared session's are carried by the registry, once, when it replaces the engine
            e.carryCountsFrom(previous.engine);
        }
    }

    /**
     * Expiry, last refresh, last error and status, for health checks: the session's, so a closed handle on a
     * session that others still hold reports the live session, and {@code CLOSED} once the session itself is closed.
     *
     * @return a snapshot of the session's state
     */
    public SessionState state() {
        return engine.state();
    }

    /**
     * The IRSA configuration.
     *
     * @return the configuration this session was created with
     * @throws IllegalStateException for an EKS Pod Identity session (see {@link #podIdentityConfig()})
     */
    public IrsaConfig config() {
        if (spec instanceof Irsa irsa) {
            return irsa.config();
        }
        if (spec instanceof Chained chained) {
            return chained.config();
        }
        throw new IllegalStateException("An EKS Pod Identity session has no IrsaConfig; see podIdentityConfig()");
    }

    /**
     * The Pod Identity configuration; empty for an IRSA session.
     *
     * @return the Pod Identity configuration, or empty
     */
    public Optional<PodIdentityConfig> podIdentityConfig() {
        return spec instanceof Pod pod ? Optional.of(pod.config()) : Optional.empty();
    }

    /**
     * Where this session's credentials come from.
     *
     * @return {@link CredentialSource#POD_IDENTITY} for a Pod Identity session, else {@link
     *         CredentialSource#WEB_IDENTITY}
     */
    public CredentialSource source() {
        return spec instanceof Pod ? CredentialSource.POD_IDENTITY : CredentialSource.WEB_IDENTITY;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (active == null) {
                return;
            }
            active = null;
            if (own) {
                left = engine.kept(); // before the engine closes: what a successor of the same configuration may resume
            }
        }
        release.run();
    }

    @Override
    public String toString() {
        return "IrsaSession[" + label() + " via " + (spec instanceof Pod pod ? pod.config().endpoint() : config().stsEndpoint())
                + ", " + state().status() + "]";
    }

    static boolean sameEngine(IrsaSession a, IrsaSession b) {
        return a.engine == b.engine;
    }
}
