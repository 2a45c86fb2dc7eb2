package dev.irsa.sdk;

import dev.irsa.core.ChainedRoleConfig;
import dev.irsa.core.CredentialSource;
import dev.irsa.core.IrsaConfig;
import dev.irsa.core.IrsaCredentials;
import dev.irsa.core.IrsaException;
import dev.irsa.core.IrsaSession;
import dev.irsa.core.PodIdentityConfig;
import dev.irsa.core.RefreshListener;
import dev.irsa.core.RefreshPolicy;
import dev.irsa.core.SessionState;
import dev.irsa.core.SettingsSource;
import dev.irsa.core.internal.IdleWatch;
import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.sdk.internal.ProviderProperties;
import dev.irsa.sdk.internal.ResolvedSource;
import dev.irsa.sdk.internal.SharedOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * IRSA credentials for the AWS SDK for Java v2: {@code S3Client.builder().credentialsProvider(IrsaCredentialsProvider.create())}.
 *
 * <p>Returns {@link AwsSessionCredentials} with their expiration time and provider name. Thread-safe. With
 * cached credentials, {@link #resolveCredentials()} neither blocks nor allocates, and
 * {@link #resolveIdentity(ResolveIdentityRequest)} returns an already-completed future, so async clients never
 * run an STS call on an event-loop thread. Providers built with the same configuration share one session
 * (one STS call per refresh per role per process).
 *
 * <p><b>Closing.</b> The SDK closes a client's credentials provider when the client closes, so one provider shared
 * by several clients is closed as soon as any of them is. {@link #close()} therefore only releases this provider's
 * hold on its session (the session's threads stop when nothing else holds it); the provider stays usable, and its
 * next use takes the session up again, going on from where its closed session left off when that session could
 * have (valid past the mandatory window, last refresh successful: no STS call).
 * A hold taken up again so is released again once unused for five minutes (by the configured clock), so a provider
 * used after its owner's last close leaves nothing running for longer.
 *
 * <p>Chain-friendly: when the IRSA variables are absent, {@link #create()} does not throw;
 * {@link #resolveCredentials()} throws an {@link SdkClientException} naming the missing variables, so an
 * {@link AwsCredentialsProviderChain} moves on to its next provider.
 * @since 0.1.0
 */
public final class IrsaCredentialsProvider implements AwsCredentialsProvider, SdkAutoCloseable {
    static final String PROVIDER_NAME = "IrsaCredentialsProvider";
    private static final String STS_CLASS = "software.amazon.awssdk.services.sts.StsClient";
    private static final Logger log = LoggerFactory.getLogger(IrsaCredentialsProvider.class);
    /**
     * How long a session taken up again after {@link #close()} may go unused before its hold is released again (the
     * next use takes it up once more).
     */
    static final Duration RELEASE_AFTER_IDLE = Duration.ofMinutes(5);
    /** {@link IrsaConfig}'s default {@code DurationSeconds}. */
    private static final Duration DEFAULT_SESSION_DURATION = Duration.ofHours(1);
    private static final String POD_IDENTITY_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    /** The Pod Identity configurations (agent URI and ignored options) already warned about: a few per process. */
    private static final Set<String> IGNORED_OPTIONS_WARNED = ConcurrentHashMap.newKeySet();

    private final Builder builder;
    /** The credential source's configuration, or null when none is configured (then {@code unavailable} says why). */
    private final ResolvedSource resolved;
    private final SdkClientException unavailable;
    /**
     * Where this provider's sessions are held: the process-wide registry, or with {@code shared(false)} one of its
     * own, so that its own holds (a use after close, a call answered across a close) share one session when they
     * overlap and go on from one another when not, credentials and counts carried exactly once, as shared ones are.
     */
    private final SessionRegistry registry;
    /** The sessions this provider holds; replaced (never mutated) on close and on the next use after it. */
    private volatile Hold hold;
    /** Counts close() calls, so a take-up that raced one does not outlive it. Guarded by this. */
    private long closes;
    /**
     * The last conversion. Deliberately not volatile: {@link Converted} is immutable (final fields, safely published),
     * and a stale read only costs one more conversion, while a volatile read would sit on every call.
     */
    private Converted last = Converted.NONE;

    /** The SDK view of one set of credentials, converted once per refresh and reused by every call. */
    private record Converted(IrsaCredentials source, AwsSessionCredentials sdk,
                             CompletableFuture<AwsCredentialsIdentity> future) {
        static final Converted NONE = new Converted(null, null, null);
    }

    /**
     * The sessions held: the base session, then one per chained role; the last one answers. {@code open} is false
     * once this hold was released. {@code idle} watches a hold taken up again after {@link #close()} (null for the
     * hold taken at build, which its owner closes).
     */
    private record Hold(List<IrsaSession> sessions, IrsaSession session, boolean open, IdleWatch idle) {
        Hold(List<IrsaSession> sessions) {
            this(List.copyOf(sessions), sessions.get(sessions.size() - 1), true, null);
        }

        Hold released() {
            return new Hold(sessions, session, false, idle);
        }

        Hold watched(IdleWatch watch) {
            return new Hold(sessions, session, open, watch);
        }

        void close() {
            for (int i = sessions.size() - 1; i >= 0; i--) {
                sessions.get(i).close();
            }
            if (idle != null) {
                idle.close();
            }
        }
    }

    private IrsaCredentialsProvider(Builder b, ResolvedSource resolved, SdkClientException unavailable) {
        this.builder = b;
        this.resolved = resolved;
        this.unavailable = unavailable;
        this.registry = b.shared ? SessionRegistry.global() : SessionRegistry.create();
        this.hold = resolved == null ? null : open(false);
    }

    private Clock clock() {
        return resolved.clock();
    }

    private String label() {
        return resolved.label();
    }

    /**
     * From the environment and system properties the SDK reads; never throws. IRSA ({@code AWS_ROLE_ARN},
     * {@code AWS_WEB_IDENTITY_TOKEN_FILE}) or EKS Pod Identity ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI},
     * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}), chosen by {@link CredentialSource#detect} (IRSA when both).
     *
     * @return a provider for whichever source is configured, or one that reports why none is
     */
    public static IrsaCredentialsProvider create() {
        return builder().build();
    }

    /**
     * For libraries that build a credentials provider by class name from string properties: Apache Iceberg's
     * {@code client.credentials-provider=dev.irsa.sdk.IrsaCredentialsProvider} calls this with its
     * {@code client.credentials-provider.*} properties, prefix removed. Keys (a subset of the Spring starter's
     * names, without {@code irsa.}): {@code role-arn}, {@code token-file}, {@code session-name}, {@code region},
     * {@code sts-endpoint}, {@code session-duration} ({@code PT1H}, {@code 3600}, {@code 3600s}, {@code 60m} or
     * {@code 1h}), {@code session-policy} (JSON) and {@code policy-arns} (comma-separated). A key absent or blank is
     * read from the environment and system properties as by {@link #create()}, so an empty map is {@code create()}
     * and, with no key given, a missing configuration does not fail here (see {@link #create()}). Providers created
     * alike share one session, and {@link #close()} releases only this provider's hold on it, so a library that
     * closes the provider with its clients does not stop the session that other providers use.
     *
     * <p>When the map also holds Iceberg's own {@code client.credentials-provider} key, Iceberg has handed over all
     * of the catalog's properties (it does so for REST catalogs that vend credentials): the keys above are read and
     * the others ignored (logged at debug).
     *
     * @param properties the properties by key without prefix; null is read as empty
     * @return a provider configured by {@code properties}, the rest from the environment
     * @throws IllegalArgumentException for a key not listed above (a misspelt key would otherwise be silently
     *         ignored), a value that cannot be parsed, or given keys that do not make a usable provider (a
     *         malformed role ARN, no region, a plain-HTTP STS endpoint off loopback...)
     */
    public static IrsaCredentialsProvider create(Map<String, String> properties) {
        return ProviderProperties.create(properties, "Apache Iceberg's client.credentials-provider.* properties");
    }

    /**
     * A builder for a provider configured explicitly; unset values are read from the environment and system
     * properties at {@link Builder#build()}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * IRSA when the pod is configured for it, otherwise the SDK's {@link DefaultCredentialsProvider} (profiles,
     * environment keys, SSO, container and instance credentials): one line for pods and laptops alike. The choice is
     * made once, here, from configuration ({@code AWS_ROLE_ARN} and {@code AWS_WEB_IDENTITY_TOKEN_FILE}, or their
     * system properties), never from a failure: with IRSA configured, an STS outage surfaces as an error and never
     * lets another identity (the node's instance role, say) answer instead. The same as
     * {@link #withDefaultFallback(SettingsSource) withDefaultFallback(SettingsSource.system())}.
     *
     * @return an {@code IrsaCredentialsProvider} when IRSA or Pod Identity is configured, otherwise a
     *         {@link DefaultCredentialsProvider}
     */
    public static AwsCredentialsProvider withDefaultFallback() {
        return withDefaultFallback(SettingsSource.system());
    }

    /**
     * As {@link #withDefaultFallback()}, with the choice made from {@code settings} and the IRSA or Pod Identity
     * provider configured from them: a library's test hands in an in-memory source
     * ({@link SettingsSource#ofEnvironment(Map)}, e.g. the test kit's pod environment) instead of setting JVM-wide
     * system properties. The fallback is the SDK's own {@link DefaultCredentialsProvider}, which reads the real
     * environment and system properties (the SDK takes no settings source).
     *
     * <p><b>Who closes what.</b> The returned provider is the caller's: close it when done, or hand it to an SDK
     * client builder, which closes it with the client (an {@code IrsaCredentialsProvider} closed so releases its hold
     * on the shared session and stays usable, so one provider may serve several clients). A library that accepts an
     * {@link AwsCredentialsProvider} from its user and calls this only when none was given closes only what it built
     * here. {@code settings} is only read, here and when the provider builds its session; nothing closes it.
     *
     * @param settings where the environment variables and system properties are read from
     * @return an {@code IrsaCredentialsProvider} configured from {@code settings} when they configure IRSA or Pod
     *         Identity, otherwise a {@link DefaultCredentialsProvider}
     * @throws NullPointerException if {@code settings} is null
     * @since 0.1.0
     */
    public static AwsCredentialsProvider withDefaultFallback(SettingsSource settings) {
        Objects.requireNonNull(settings, "settings");
        Optional<CredentialSource> source = CredentialSource.detect(settings);
        if (source.isPresent()) {
            log.info("{} is configured: using it only", source.get() == CredentialSource.WEB_IDENTITY
                    ? "IRSA (AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE)"
                    : "EKS Pod Identity (AWS_CONTAINER_CREDENTIALS_FULL_URI and the authorization token)");
            return builder().settings(settings).build();
        }
        log.info("Neither IRSA nor EKS Pod Identity is configured: using the SDK's DefaultCredentialsProvider");
        return DefaultCredentialsProvider.builder().build();
    }

    @Override
    public AwsCredentials resolveCredentials() {
        IrsaCredentials c = credentials();
        Converted cv = last;
        if (cv.source == c) {
            return cv.sdk;
        }
        return convert(c).sdk;
    }

    /**
     * Credentials that, if at all possible, stay valid for at least {@code minValidity}, for signing something that
     * is checked later (an RDS IAM authentication token): when the session's cached credentials expire sooner, it
     * refreshes them first and blocks for that at most the refresh policy's wait timeout. The result can still be
     * valid for less (STS failing, or credentials that never live that long): check
     * {@link AwsCredentials#expirationTime()}. It never makes an STS call per call: see
     * {@link IrsaSession#credentials(Duration)}. Like {@link #resolveCredentials()}, usable after {@link #close()}.
     *
     * @param minValidity how long the credentials should stay valid; zero or negative asks for nothing more
     * @return valid credentials
     * @throws SdkClientException when none can be had (the message says why) or IRSA is not configured
     * @throws NullPointerException if {@code minValidity} is null
     * @since 0.1.0
     */
    public AwsCredentials resolveCredentials(Duration minValidity) {
        Objects.requireNonNull(minValidity, "minValidity");
        IrsaCredentials c = credentials(minValidity);
        Converted cv = last;
        return cv.source == c ? cv.sdk : convert(c).sdk;
    }

    private IrsaCredentials credentials() {
        try {
            try {
                return current().session.credentials();
            } catch (IrsaException e) {
                if (e.kind() != IrsaException.Kind.CLOSED) {
                    throw e;
                }
                // released by a close() while this call was under way: answer it from a hold of its own
                Hold once = openForOneCall();
                try {
                    return once.session.credentials();
                } finally {
                    once.close();
                }
            }
        } catch (IrsaException e) {
            throw sdkException(e);
        }
    }

    /** As {@link #credentials()}, for {@link #resolveCredentials(Duration)} (kept apart so the hot path stays direct). */
    private IrsaCredentials credentials(Duration minValidity) {
        try {
            try {
                return current().session.credentials(minValidity);
            } catch (IrsaException e) {
                if (e.kind() != IrsaException.Kind.CLOSED) {
                    throw e;
                }
                Hold once = openForOneCall(); // released by a close() under way, as in credentials()
                try {
                    return once.session.credentials(minValidity);
                } finally {
                    once.close();
                }
            }
        } catch (IrsaException e) {
            throw sdkException(e);
        }
    }

    /**
     * The credentials for an SDK client's request, as a future: what {@link #resolveCredentials()} returns, without
     * waiting.
     *
     * <p>Never blocks. A call under way when {@link #close()} released the session is still answered (another SDK
     * client sharing this provider may have closed it), from a session of its own that ends with the answer, unless
     * the caller cancelled the returned future before: an owner shutting down cancels what it no longer wants, so
     * that nothing starts an STS call or a thread on its behalf after the shutdown.
     */
    @Override
    public CompletableFuture<AwsCredentialsIdentity> resolveIdentity(ResolveIdentityRequest request) {
        if (unavailable != null) {
            return CompletableFuture.failedFuture(unavailableException());
        }
        Hold h;
        CompletableFuture<IrsaCredentials> f;
        try {
            h = current();
            f = h.session.credentialsAsync();
        } catch (IrsaException e) {
            return e.kind() == IrsaException.Kind.CLOSED ? answerOnce().handle(this::toSdk)
                    : CompletableFuture.failedFuture(sdkException(e));
        } catch (SdkClientException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (f.isDone() && !f.isCompletedExceptionally()) {
            IrsaCredentials c = f.join();
            Converted cv = last;
            return cv.source == c ? cv.future : convert(c).future;
        }
        CompletableFuture<AwsCredentialsIdentity> out = new CompletableFuture<>();
        f.whenComplete((c, e) -> {
            // A caller that withdrew (cancelled this future) before a close() is not answered: no fresh session or
            // STS call on behalf of nobody, e.g. after its owner shut the provider down deliberately.
            if (c == null && closedUnder(e) && !out.isDone()) {
                answerOnce().whenComplete((again, e2) -> answer(out, again, e2));
            } else {
                answer(out, c, e);
            }
        });
        return out;
    }

    private void answer(CompletableFuture<AwsCredentialsIdentity> out, IrsaCredentials c, Throwable e) {
        try {
            out.complete(toSdk(c, e));
        } catch (RuntimeException failure) {
            out.completeExceptionally(failure);
        }
    }

    private AwsCredentialsIdentity toSdk(IrsaCredentials c, Throwable e) {
        if (e != null) {
            Throwable cause = unwrap(e);
            throw cause instanceof IrsaException ie ? sdkException(ie) : cause instanceof SdkClientException se
                    ? se : SdkClientException.builder().message(cause.getMessage()).cause(cause).build();
        }
        return convert(c).sdk;
    }

    /**
     * For a call under way when a close() released its hold: a hold of its own, released once the call is answered.
     * Whether that close() was an SDK client's (others go on using the provider) or the owner's last one cannot be
     * told apart, so the call is answered either way but keeps nothing running afterwards. An async caller that
     * cancelled its future first is not answered (see {@link #resolveIdentity}).
     */
    private CompletableFuture<IrsaCredentials> answerOnce() {
        Hold once;
        try {
            once = openForOneCall();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<IrsaCredentials> f = once.session.credentialsAsync();
        f.whenComplete((c, e) -> once.close());
        return f;
    }

    private Hold openForOneCall() {
        return open(true); // goes on from the released sessions if they may: the registry kept what they left
    }

    /** A new exception per call: the caller's own stack, and no suppressed exceptions piling up on a shared one. */
    private SdkClientException unavailableException() {
        return SdkClientException.builder().message(unavailable.getMessage()).cause(unavailable.getCause()).build();
    }

    private static boolean closedUnder(Throwable e) {
        return unwrap(e) instanceof IrsaException ie && ie.kind() == IrsaException.Kind.CLOSED;
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static SdkClientException sdkException(IrsaException e) {
        return SdkClientException.builder().message(e.getMessage()).cause(e).build();
    }

    /** The open hold; throws the configuration problem when IRSA is not configured. */
    private Hold current() {
        Hold h = hold;
        if (h == null) {
            throw unavailableException();
        }
        if (!h.open) {
            return reopen(h);
        }
        IdleWatch idle = h.idle; // null unless taken up again after close(): nothing more on the ordinary path
        if (idle != null) {
            idle.used();
        }
        return h;
    }

    /**
     * Releases a hold taken up again after {@link #close()} that has gone unused for {@link #RELEASE_AFTER_IDLE}, as
     * close() would, unless it was released or replaced meanwhile: nothing runs forever for a provider that its owner
     * closed and that something used once more. The next use takes the session up again.
     */
    private void releaseIdle(IdleWatch watch) {
        Hold h;
        synchronized (this) {
            h = hold;
            if (h == null || !h.open || h.idle != watch) {
                return;
            }
            hold = h.released();
        }
        log.debug("IRSA provider for {} taken up again after close() went unused for {}; releasing its session",
                label(), RELEASE_AFTER_IDLE);
        h.close();
    }

    /**
     * Takes the sessions up again after {@code seen} was released, unless another thread already did. Opens outside
     * the lock (never blocking other callers on it) and without eager start; a losing racer closes what it opened.
     */
    private Hold reopen(Hold seen) {
        synchronized (this) {
            Hold h = hold;
            if (h != seen && h.open) {
                return h;
            }
        }
        long closesBefore;
        synchronized (this) {
            closesBefore = closes;
        }
        log.debug("IRSA provider for {} used after close(); taking its session up again", label());
        // Where the released sessions left off, if they may (no STS call): their registry kept it
        Hold opened = open(true).watched(IdleWatch.start(clock(), RELEASE_AFTER_IDLE, this::releaseIdle));
        synchronized (this) {
            Hold h = hold;
            if ((h == seen || !h.open) && closes == closesBefore) {
                hold = opened;
                return opened;
            }
        }
        opened.close();
        synchronized (this) {
            if (closes != closesBefore) {
                // a close() came while this was opening and must win: the caller answers this one call on its own
                throw new IrsaException(IrsaException.Kind.CLOSED, null, "closed while being taken up again", null);
            }
            return hold;
        }
    }

    /** Opens this provider's sessions; {@code again}: taking them up after a close, so never with eager start. */
    private Hold open(boolean again) {
        List<IrsaSession> sessions = new ArrayList<>();
        try {
            sessions.add(resolved.open(registry, again));
            for (ChainedRoleConfig target : builder.chain) {
                sessions.add(sessions.get(sessions.size() - 1).assumeRole(target));
            }
        } catch (RuntimeException e) {
            new Hold(sessions.isEmpty() ? List.of() : sessions, null, false, null).close();
            throw e;
        }
        return new Hold(sessions);
    }

    private Converted convert(IrsaCredentials c) {
        AwsSessionCredentials.Builder b = AwsSessionCredentials.builder().accessKeyId(c.accessKeyId())
                .secretAccessKey(c.secretAccessKey()).sessionToken(c.sessionToken()).expirationTime(c.expiration())
                .providerName(PROVIDER_NAME);
        String account = c.accountId();
        if (account != null) {
            b.accountId(account);
        }
        AwsSessionCredentials sdk = b.build();
        Converted cv = new Converted(c, sdk, CompletableFuture.completedFuture(sdk));
        last = cv;
        return cv;
    }

    /**
     * Where this provider's credentials come from; empty when neither IRSA nor Pod Identity is configured.
     *
     * @return the configured credential source, or empty
     */
    public Optional<CredentialSource> source() {
        return Optional.ofNullable(resolved).map(ResolvedSource::source);
    }

    /**
     * The IRSA configuration this provider resolved (for a chained provider, that of the role it chains from): what
     * decides which session it shares, for comparing with another's ({@link IrsaConfig#sessionDifferences}).
     *
     * @return the configuration, or empty when the credentials come from EKS Pod Identity or nothing is configured
     * @since 0.1.0
     */
    public Optional<IrsaConfig> config() {
        return resolved instanceof ResolvedSource.Irsa irsa ? Optional.of(irsa.config()) : Optional.empty();
    }

    /**
     * The EKS Pod Identity configuration this provider resolved (for a chained provider, that of the session it
     * chains from): what decides which session it shares, for comparing with another's
     * ({@link PodIdentityConfig#sessionDifferences}).
     *
     * @return the configuration, or empty when the credentials come from IRSA or nothing is configured
     * @since 0.1.0
     */
    public Optional<PodIdentityConfig> podIdentityConfig() {
        return resolved instanceof ResolvedSource.Pod pod ? Optional.of(pod.config()) : Optional.empty();
    }

    /**
     * The refresh policy of the session this provider's credentials come from first (IRSA or Pod Identity; for a
     * chained provider, that of the role it chains from): for glue that assumes a further role on the application's
     * behalf (Kafka's {@code awsRoleArn}) and should refresh it the same way.
     *
     * @return the refresh policy, or empty when neither IRSA nor Pod Identity is configured
     * @since 0.1.0
     */
    public Optional<RefreshPolicy> refreshPolicy() {
        return Optional.ofNullable(resolved).map(ResolvedSource::refreshPolicy);
    }

    /**
     * The session's state (expiry, last error...) for health checks; empty when IRSA is not configured. After
     * {@link #close()} it is the state of the session this provider held: live while anything else holds it,
     * {@code CLOSED} once nothing does (until the next use takes it up again). It never takes a session up itself, so
     * a health check or a meter that outlives its application does not keep one alive.
     *
     * @return the state of the session held (or last held), or empty when neither IRSA nor Pod Identity is
     *         configured
     */
    public Optional<SessionState> state() {
        Hold h = hold;
        return h == null ? Optional.empty() : Optional.of(h.session.state());
    }

    /**
     * Why this provider cannot supply credentials, when it cannot (IRSA not configured, sts module missing).
     *
     * @return the reason, or empty when this provider can supply credentials
     */
    public Optional<String> unavailableReason() {
        return unavailable == null ? Optional.empty() : Optional.of(unavailable.getMessage());
    }

    /**
     * A provider for another role assumed from this one with {@code sts:AssumeRole} (role chaining, e.g. into
     * another account), refreshed on its own schedule. It holds its own share of this provider's session, so the two
     * can be closed in any order; its {@link #toBuilder()} builds the chained role again.
     * With eager start on, the chained role's credentials are fetched here, and a failure throws here.
     *
     * @param target the role to assume from this provider's role
     * @return a new provider for {@code target}
     * @throws SdkClientException if this provider is unavailable, or eager start is on and the chained role's
     *         credentials could not be had
     */
    public IrsaCredentialsProvider assumeRole(ChainedRoleConfig target) {
        Objects.requireNonNull(target, "target");
        if (resolved == null) {
            throw unavailableException();
        }
        Builder b = builder.copy();
        b.chain.add(target);
        try {
            return new IrsaCredentialsProvider(b, resolved, null);
        } catch (IrsaException e) {
            throw sdkException(e); // eager start failed for the chained role, or chaining from Pod Identity has no region
        }
    }

    /**
     * A builder holding this provider's configuration (and, for a chained provider, its chained roles).
     *
     * @return a new builder with this provider's configuration
     */
    public Builder toBuilder() {
        return builder.copy();
    }

    /**
     * Releases this provider's hold on its session at once; the session's threads stop once nothing else holds it.
     * The provider stays usable: its next use takes the session up again (the SDK closes providers with their
     * clients), and a hold so taken is released again after five minutes without a use.
     */
    @Override
    public void close() {
        Hold h;
        synchronized (this) {
            closes++;
            h = hold;
            if (h == null || !h.open) {
                return;
            }
            hold = h.released();
        }
        h.close();
    }

    @Override
    public String toString() {
        Hold h = hold;
        return PROVIDER_NAME + "[" + (h == null ? "unavailable: " + unavailable.getMessage()
                : label() + ", " + (h.open ? h.session.state().status() : "released until next use")) + "]";
    }

    /** Configures an {@link IrsaCredentialsProvider}; exposes every {@link IrsaConfig} option. Not thread-safe. */
    public static final class Builder {
        /** The IRSA-only options (they configure the STS call). */
        private IrsaConfig.Builder config = IrsaConfig.builder();
        /** The options both sources take, set once and applied to whichever source's builder is chosen. */
        private SharedOptions common = new SharedOptions();
        /** Whether IRSA was asked for explicitly (role ARN or token file on the builder): then no automatic choice. */
        private boolean explicitIrsa;
        /** A session policy or policy ARNs were set: scoping that only an STS call can apply. */
        private boolean scoped;
        /**
         * The IRSA-only options set (they configure the STS call): named in a warning when EKS Pod Identity is chosen
         * automatically, which makes no STS call. Option names keyed by their place in the warning.
         */
        private TreeMap<Integer, String> irsaOnly = new TreeMap<>();
        private boolean shared = true;
        private List<ChainedRoleConfig> chain = new ArrayList<>();

        private Builder() {}

        private Builder copy() {
            Builder b = new Builder();
            b.config = config.copy();
            b.common = common.copy();
            b.explicitIrsa = explicitIrsa;
            b.scoped = scoped;
            b.irsaOnly = new TreeMap<>(irsaOnly);
            b.shared = shared;
            b.chain = new ArrayList<>(chain);
            return b;
        }

        /**
         * The IAM role to assume ({@code arn:aws:iam::<account>:role/<name>}); default {@code AWS_ROLE_ARN}.
         *
         * @param roleArn the role ARN, or null to read it from the settings
         * @return this builder
         */
        public Builder roleArn(String roleArn) {
            explicitIrsa |= roleArn != null;
            config.roleArn(roleArn);
            return this;
        }

        /**
         * The projected service-account token file; default {@code AWS_WEB_IDENTITY_TOKEN_FILE}.
         *
         * @param tokenFile the token file, or null to read it from the settings
         * @return this builder
         */
        public Builder tokenFile(Path tokenFile) {
            explicitIrsa |= tokenFile != null;
            config.tokenFile(tokenFile);
            return this;
        }

        /**
         * The role session name: 2–64 characters of {@code [\w+=,.@-]}; by default derived from the host (pod) name.
         *
         * @param name the session name
         * @return this builder
         */
        public Builder roleSessionName(String name) {
            irsaOnly(0, "roleSessionName", name != null);
            config.roleSessionName(name);
            return this;
        }

        /**
         * The region whose regional STS endpoint is used; default {@code AWS_REGION}, then {@code AWS_DEFAULT_REGION}.
         *
         * @param region the region, e.g. {@code eu-west-1}
         * @return this builder
         */
        public Builder region(String region) {
            irsaOnly(1, "region", region != null);
            config.region(region);
            return this;
        }

        /**
         * Overrides the regional STS endpoint (plain HTTP is refused unless the host is loopback).
         *
         * @param endpoint the STS endpoint
         * @return this builder
         */
        public Builder stsEndpoint(URI endpoint) {
            irsaOnly(2, "stsEndpoint", endpoint != null);
            config.stsEndpoint(endpoint);
            return this;
        }

        /**
         * {@code DurationSeconds}: 900 s to 43,200 s (and no more than the role's maximum); default 1 h.
         *
         * @param duration the requested session duration, or null for the default
         * @return this builder
         */
        public Builder sessionDuration(Duration duration) {
            Duration d = duration == null ? DEFAULT_SESSION_DURATION : duration;
            config.sessionDuration(d);
            // The default set explicitly (the Spring starter always sets one) changes nothing: not worth a warning
            irsaOnly(3, "sessionDuration", !d.equals(DEFAULT_SESSION_DURATION));
            return this;
        }

        /**
         * An inline session policy (at most 2,048 characters) that scopes the session down.
         *
         * @param policy the IAM policy JSON
         * @return this builder
         */
        public Builder sessionPolicy(String policy) {
            config.sessionPolicy(policy);
            scoped |= policy != null && !policy.isBlank();
            return this;
        }

        /**
         * Managed policy ARNs that scope the session down (at most 10).
         *
         * @param arns the policy ARNs
         * @return this builder
         */
        public Builder policyArns(List<String> arns) {
            config.policyArns(arns);
            scoped |= arns != null && !arns.isEmpty();
            return this;
        }

        /**
         * When and how credentials are refreshed (IRSA and Pod Identity alike).
         *
         * @param policy the refresh policy
         * @return this builder
         */
        public Builder refreshPolicy(RefreshPolicy policy) {
            common.refreshPolicy(policy);
            return this;
        }

        /**
         * Adds a listener told about every refresh (IRSA and Pod Identity alike).
         *
         * @param listener the listener to add
         * @return this builder
         */
        public Builder addListener(RefreshListener listener) {
            common.addListener(listener);
            return this;
        }

        /**
         * Fetch at {@link #build()} and throw there if credentials cannot be had (fail at boot).
         *
         * @param eager whether to fetch credentials at {@link #build()}
         * @return this builder
         */
        public Builder eagerStart(boolean eager) {
            common.eager(eager);
            return this;
        }

        /**
         * Your own STS client (anonymous credentials); you keep ownership.
         *
         * @param client the STS client, configured with anonymous credentials
         * @return this builder
         */
        public Builder stsClient(StsClient client) {
            irsaOnly(4, "stsClient", client != null);
            config.stsClient(client);
            return this;
        }

        /**
         * Timeouts of the HTTP client the session builds (defaults 2 s connect, 5 s read).
         *
         * @param connect the connect timeout
         * @param read the read timeout
         * @return this builder
         */
        public Builder timeouts(Duration connect, Duration read) {
            common.timeouts(connect, read);
            return this;
        }

        /**
         * The deadline of one call (to STS or the Pod Identity agent) as a whole, answer included; default 10 s. The
         * read timeout bounds each read only. See {@link IrsaConfig.Builder#attemptTimeout(Duration)}.
         *
         * @param attemptTimeout a positive duration, at most 5 minutes
         * @return this builder
         * @throws IllegalArgumentException if it is null, zero, negative or over 5 minutes
         */
        public Builder attemptTimeout(Duration attemptTimeout) {
            common.attemptTimeout(attemptTimeout);
            return this;
        }

        /**
         * The wall clock that credential expiry is compared with (tests inject a fake one).
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            common.clock(clock);
            return this;
        }

        /**
         * Where system properties and environment variables are read from (default: the real ones).
         *
         * @param settings the settings source
         * @return this builder
         */
        public Builder settings(SettingsSource settings) {
            common.settings(settings);
            return this;
        }

        /**
         * Share the session with other providers of the same configuration (default true). With {@code false} the
         * provider has a session of its own: no other provider joins it or resumes its credentials, at the cost of
         * its own STS calls (its own holds share it: a use after {@code close()} and a call answered across one go on
         * from what it left, counts included, as a shared session's would) (tests that must not see other tests' credentials can use it, or
         * {@link dev.irsa.core.TestIsolation#reset()}).
         *
         * @param shared whether to share the session
         * @return this builder
         */
        public Builder shared(boolean shared) {
            this.shared = shared;
            return this;
        }

        /**
         * Builds the provider from a copy of this builder (later changes to the builder do not reach it).
         * Configuration problems do not throw here (so the provider can sit in a chain); they surface from
         * {@link IrsaCredentialsProvider#resolveCredentials()} — unless eager start is on, in which case any failure
         * to get credentials throws here as an {@link SdkClientException}. When EKS Pod Identity is chosen
         * automatically (no role ARN or token file given, Pod Identity configured and IRSA not), the IRSA-only options
         * (session name, region, STS endpoint, a session duration other than the default, STS client) are ignored and
         * named in one WARN line (once per process for a configuration); a session policy, policy ARNs or chained roles make the provider fail instead.
         *
         * @return the new provider
         * @throws SdkClientException if eager start is on and credentials cannot be had
         */
        public IrsaCredentialsProvider build() {
            Builder b = copy();
            if (!b.explicitIrsa && CredentialSource.detect(b.common.settings()).orElse(null) == CredentialSource.POD_IDENTITY) {
                if (b.scoped) {
                    // Never serve the association's role unscoped where the application asked for less. A chained
                    // role is no widening: its AssumeRole (with its own session policy) is made from Pod Identity too.
                    SdkClientException ex = SdkClientException.create("This pod gets credentials from EKS Pod Identity,"
                            + " but a session policy or policy ARNs were configured: those are applied by an STS call"
                            + " that Pod Identity does not make, so the credentials would carry the association's whole"
                            + " role. Scope the role of the Pod Identity association itself (or its target role), or"
                            + " remove the session policy / policy ARNs (irsa.session-policy, irsa.policy-arns), or"
                            + " scope a chained role instead (ChainedRoleConfig.sessionPolicy).");
                    if (b.common.eager()) {
                        throw ex;
                    }
                    return new IrsaCredentialsProvider(b, null, ex);
                }
                if (!b.irsaOnly.isEmpty() && IGNORED_OPTIONS_WARNED.add(b.common.settings().environmentVariable(POD_IDENTITY_URI).orElse("")
                        + " " + b.irsaOnly.values())) {
                    // Harmless (they only configure the STS call that Pod Identity does not make), but a user who set
                    // them expects them to matter: say so once per configuration (the Spring starter builds up to
                    // three providers of one configuration)
                    log.warn("This pod gets credentials from EKS Pod Identity (AWS_CONTAINER_CREDENTIALS_FULL_URI is"
                            + " set, AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE are not), so the IRSA-only options {}"
                            + " are ignored: they configure an STS call that Pod Identity does not make. Remove them,"
                            + " or set roleArn / tokenFile (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE) to use IRSA.",
                            String.join(", ", b.irsaOnly.values()));
                }
                ResolvedSource resolved;
                try {
                    resolved = ResolvedSource.pod(b.common.applyTo(PodIdentityConfig.builder()));
                } catch (IrsaException e) {
                    SdkClientException ex = SdkClientException.builder().message("EKS Pod Identity is misconfigured: "
                            + e.getMessage()).cause(e).build();
                    if (b.common.eager()) {
                        throw ex;
                    }
                    return new IrsaCredentialsProvider(b, null, ex);
                }
                try {
                    return new IrsaCredentialsProvider(b, resolved, null);
                } catch (IrsaException e) {
                    throw sdkException(e);
                }
            }
            if (!stsOnClassPath()) {
                return new IrsaCredentialsProvider(b, null, SdkClientException.create("The AWS SDK 'sts' module is not"
                        + " on the class path, and IRSA needs it to call AssumeRoleWithWebIdentity. Add the dependency"
                        + " software.amazon.awssdk:sts (same version as your other AWS SDK modules)."));
            }
            ResolvedSource resolved;
            try {
                // applied to a copy: b is kept (toBuilder, assumeRole) and must not hold the listeners twice
                resolved = ResolvedSource.irsa(b.common.applyTo(b.config.copy()).build());
            } catch (IrsaException e) {
                SdkClientException ex = SdkClientException.builder().message("IRSA is not configured: " + e.getMessage())
                        .cause(e).build();
                if (b.common.eager()) {
                    throw ex;
                }
                return new IrsaCredentialsProvider(b, null, ex);
            }
            try {
                return new IrsaCredentialsProvider(b, resolved, null);
            } catch (IrsaException e) {
                throw sdkException(e);
            }
        }

        private void irsaOnly(int order, String option, boolean set) {
            if (set) {
                irsaOnly.put(order, option);
            } else {
                irsaOnly.remove(order);
            }
        }

        static boolean stsOnClassPath() {
            try {
                Class.forName(STS_CLASS, false, IrsaCredentialsProvider.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }
    }
}
