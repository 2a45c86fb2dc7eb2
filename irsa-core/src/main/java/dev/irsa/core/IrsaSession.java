package dev.irsa.core;

import dev.irsa.core.internal.ContainerCredentialsExchange;
import dev.irsa.core.internal.CredentialExchange;
import dev.irsa.core.internal.RefreshEngine;
import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.core.internal.SharedScheduler;
import dev.irsa.core.internal.StsAssumeRoleExchange;
import dev.irsa.core.internal.StsWebIdentityExchange;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
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

    /** What a Pod Identity session is named by in messages and {@link SessionState#roleArn()}. */
    static final String POD_IDENTITY_LABEL = "EKS Pod Identity";

    /** The IRSA configuration; null for a Pod Identity session. */
    private final IrsaConfig config;
    /** The Pod Identity configuration; null for an IRSA session. */
    private final PodIdentityConfig podIdentity;
    private final RefreshEngine engine;
    private final Runnable release;
    /**
     * What makes a later session the same as this one for {@link #resumeFrom}: the registry key of its configuration,
     * and for a chained session its source session's lineage and target.
     */
    private final Object lineage;
    /** Whether the engine is this handle's own (closed with it), not a hold on a shared one. */
    private final boolean own;
    /** The engine while open, null once closed: the hot path's one read of this handle. */
    private volatile RefreshEngine active;
    /** What this session, if its own, left when it closed: for {@link #resumeFrom}. */
    private volatile RefreshEngine.Kept left;

    private IrsaSession(IrsaConfig config, PodIdentityConfig podIdentity, Object lineage, RefreshEngine engine,
                        boolean own, Runnable release) {
        this.config = config;
        this.podIdentity = podIdentity;
        this.lineage = lineage;
        this.engine = engine;
        this.own = own;
        this.active = engine;
        this.release = release;
    }

    private static IrsaSession own(IrsaConfig config, RefreshEngine engine) {
        return new IrsaSession(config, null, SessionRegistry.Key.of(config), engine, true, engine::close);
    }

    private static IrsaSession own(PodIdentityConfig config, RefreshEngine engine) {
        return new IrsaSession(null, config, SessionRegistry.Key.of(config), engine, true, engine::close);
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
        RefreshEngine engine = newEngine(config);
        config.listeners().forEach(engine::addListener);
        return own(config, engine).startIfEager();
    }

    /**
     * A hold on the process-wide Pod Identity session for this configuration (see {@link #shared(IrsaConfig)}).
     *
     * @param config the Pod Identity configuration
     * @return a new hold on the shared session; closing it releases the hold
     */
    public static IrsaSession shared(PodIdentityConfig config) {
        SessionRegistry registry = SessionRegistry.global();
        SessionRegistry.Key key = SessionRegistry.Key.of(config);
        SessionRegistry.Entry entry = registry.acquire(key, resuming -> newEngine(config, resuming));
        config.listeners().forEach(entry.engine()::addListener);
        return new IrsaSession(null, config, key, entry.engine(), false, () -> {
            config.listeners().forEach(entry.engine()::removeListener);
            registry.release(key, entry);
        }).startIfEager();
    }

    /** For tests that supply their own exchange and scheduler; not part of the stable API. */
    static IrsaSession create(PodIdentityConfig config, CredentialExchange exchange, dev.irsa.core.internal.Scheduler scheduler) {
        logAgent(config);
        RefreshEngine engine = new RefreshEngine(POD_IDENTITY_LABEL, config.endpoint(), config.refreshPolicy(),
                config.clock(), ThreadLocalRandom.current(), exchange, scheduler, null, CredentialSource.POD_IDENTITY);
        config.listeners().forEach(engine::addListener);
        return own(config, engine).startIfEager();
    }

    private static RefreshEngine newEngine(PodIdentityConfig config) {
        return newEngine(config, false);
    }

    private static RefreshEngine newEngine(PodIdentityConfig config, boolean resuming) {
        logAgent(config, resuming);
        SharedScheduler scheduler = SharedScheduler.acquire();
        try {
            return new RefreshEngine(POD_IDENTITY_LABEL, config.endpoint(), config.refreshPolicy(), config.clock(),
                    ThreadLocalRandom.current(), new ContainerCredentialsExchange(config), scheduler, scheduler::release,
                    CredentialSource.POD_IDENTITY);
        } catch (RuntimeException e) {
            scheduler.release();
            throw e;
        }
    }

    private static void logAgent(PodIdentityConfig config) {
        logAgent(config, false);
    }

    /** At INFO once per session; a session that resumes an earlier one's credentials only at DEBUG (no news). */
    private static void logAgent(PodIdentityConfig config, boolean resuming) {
        String message = "EKS Pod Identity session uses the agent at {} (token from {})";
        String token = config.tokenFile().map(Object::toString).orElse("AWS_CONTAINER_AUTHORIZATION_TOKEN");
        if (resuming) {
            log.debug(message, config.endpoint(), token);
        } else {
            log.info(message, config.endpoint(), token);
        }
    }

    /**
     * A session of its own for this configuration.
     *
     * @param config the IRSA configuration
     * @return a new session of its own
     * @throws IrsaException if {@link IrsaConfig#eagerStart()} is set and no credentials could be had
     */
    public static IrsaSession create(IrsaConfig config) {
        RefreshEngine engine = newEngine(config);
        config.listeners().forEach(engine::addListener);
        return own(config, engine).startIfEager();
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
        SessionRegistry registry = SessionRegistry.global();
        SessionRegistry.Key key = SessionRegistry.Key.of(config);
        SessionRegistry.Entry entry = registry.acquire(key, resuming -> newEngine(config, resuming));
        config.listeners().forEach(entry.engine()::addListener);
        IrsaSession s = new IrsaSession(config, null, key, entry.engine(), false, () -> {
            config.listeners().forEach(entry.engine()::removeListener);
            registry.release(key, entry);
        });
        return s.startIfEager();
    }

    /** For tests: a hold on the process-wide session of this configuration, with their own exchange and scheduler. */
    static IrsaSession shared(IrsaConfig config, CredentialExchange exchange, dev.irsa.core.internal.Scheduler scheduler) {
        SessionRegistry registry = SessionRegistry.global();
        SessionRegistry.Key key = SessionRegistry.Key.of(config);
        SessionRegistry.Entry entry = registry.acquire(key, resuming -> {
            logEndpoint(config, resuming);
            return new RefreshEngine(config.roleArn().toString(), config.stsEndpoint(), config.refreshPolicy(),
                    config.clock(), ThreadLocalRandom.current(), exchange, scheduler, null);
        });
        config.listeners().forEach(entry.engine()::addListener);
        IrsaSession s = new IrsaSession(config, null, key, entry.engine(), false, () -> {
            config.listeners().forEach(entry.engine()::removeListener);
            registry.release(key, entry);
        });
        return s.startIfEager();
    }

    /** For tests and embedders that supply their own exchange and scheduler; not part of the stable API. */
    static IrsaSession create(IrsaConfig config, CredentialExchange exchange, dev.irsa.core.internal.Scheduler scheduler) {
        logEndpoint(config);
        RefreshEngine engine = new RefreshEngine(config.roleArn().toString(), config.stsEndpoint(), config.refreshPolicy(),
                config.clock(), ThreadLocalRandom.current(), exchange, scheduler, null);
        config.listeners().forEach(engine::addListener);
        return own(config, engine).startIfEager();
    }

    private static RefreshEngine newEngine(IrsaConfig config) {
        return newEngine(config, false);
    }

    private static RefreshEngine newEngine(IrsaConfig config, boolean resuming) {
        logEndpoint(config, resuming);
        SharedScheduler scheduler = SharedScheduler.acquire();
        try {
            return new RefreshEngine(config.roleArn().toString(), config.stsEndpoint(), config.refreshPolicy(),
                    config.clock(), ThreadLocalRandom.current(), new StsWebIdentityExchange(config), scheduler,
                    scheduler::release);
        } catch (RuntimeException e) {
            scheduler.release();
            throw e;
        }
    }

    /** Once per session: which endpoint the token goes to is the first thing to check when something is off. */
    private static void logEndpoint(IrsaConfig config) {
        logEndpoint(config, false);
    }

    /** As {@link #logEndpoint(IrsaConfig)}; a session that resumes an earlier one's credentials only at DEBUG. */
    private static void logEndpoint(IrsaConfig config, boolean resuming) {
        if (resuming) {
            log.debug("IRSA session for {} resumes the credentials of its previous session (STS endpoint {}, session"
                    + " name {})", config.roleArn(), config.stsEndpoint(), config.roleSessionName());
            return;
        }
        if (config.regionalEndpointsLegacyRequested()) {
            log.info("AWS_STS_REGIONAL_ENDPOINTS=legacy is set; irsa-java uses the regional endpoint {} anyway (the global"
                    + " endpoint is a single point of failure)", config.stsEndpoint());
        }
        log.info("IRSA session for {} uses STS endpoint {} (session name {})", config.roleArn(), config.stsEndpoint(),
                config.roleSessionName());
    }

    private IrsaSession startIfEager() {
        if (config != null ? config.eagerStart() : podIdentity.eagerStart()) {
            try {
                engine.start();
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
        return this;
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
        return config != null ? config.roleArn().toString() : POD_IDENTITY_LABEL;
    }

    /**
     * A session for another role, assumed with {@code sts:AssumeRole} using this session's credentials (role
     * chaining, e.g. into another account). It refreshes on its own schedule on the same engine and scheduler,
     * waiting for this session's credentials without holding a thread. Closing it does not close this session; once
     * this session is closed, its refreshes fail for good (no retries) and it serves what it holds until expiry.
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
     * @throws IrsaException if eager start is set and the chained role's credentials could not be had
     */
    public IrsaSession assumeRole(ChainedRoleConfig target) {
        Objects.requireNonNull(target, "target");
        // From Pod Identity: STS of the target's region (or AWS_REGION), signed with the agent's credentials
        IrsaConfig base = config != null ? config : podIdentity.chainingConfig(target);
        IrsaConfig chained = base.toBuilder().roleArn(target.roleArn().toString())
                .roleSessionName(target.roleSessionName().orElse(base.roleSessionName()))
                .refreshPolicy(target.refreshPolicy()).build(); // eager as this session: fail at boot for either role
        SharedScheduler scheduler = SharedScheduler.acquire();
        RefreshEngine chainedEngine;
        try {
            chainedEngine = new RefreshEngine(target.roleArn().toString(), StsAssumeRoleExchange.endpoint(target, base),
                    target.refreshPolicy(),
                    base.clock(), ThreadLocalRandom.current(),
                    new StsAssumeRoleExchange(target, base, label(), this::credentialsAsync),
                    scheduler, scheduler::release);
        } catch (RuntimeException e) {
            scheduler.release();
            throw e;
        }
        log.info("IRSA chained session: {} assumes {}", label(), target.roleArn());
        return new IrsaSession(chained, null, List.of(lineage, target), chainedEngine, true, chainedEngine::close).startIfEager();
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
        if (e == null || previous == null || previous == this || !lineage.equals(previous.lineage)) {
            return;
        }
        e.seed(previous.left); // null unless previous was a session of its own, closed after a successful refresh
        e.carryCountsFrom(previous.engine); // counters stay monotonic (nothing when it is the same, shared, engine)
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
        if (config == null) {
            throw new IllegalStateException("An EKS Pod Identity session has no IrsaConfig; see podIdentityConfig()");
        }
        return config;
    }

    /**
     * The Pod Identity configuration; empty for an IRSA session.
     *
     * @return the Pod Identity configuration, or empty
     */
    public Optional<PodIdentityConfig> podIdentityConfig() {
        return Optional.ofNullable(podIdentity);
    }

    /**
     * Where this session's credentials come from.
     *
     * @return {@link CredentialSource#POD_IDENTITY} for a Pod Identity session, else {@link
     *         CredentialSource#WEB_IDENTITY}
     */
    public CredentialSource source() {
        return config != null ? CredentialSource.WEB_IDENTITY : CredentialSource.POD_IDENTITY;
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
        return "IrsaSession[" + label() + " via " + (config != null ? config.stsEndpoint() : podIdentity.endpoint())
                + ", " + state().status() + "]";
    }

    static boolean sameEngine(IrsaSession a, IrsaSession b) {
        return a.engine == b.engine;
    }
}
