package dev.irsa.kafka.internal;

import dev.irsa.core.ChainedRoleConfig;
import dev.irsa.core.CredentialSource;
import dev.irsa.core.IrsaConfig;
import dev.irsa.core.PodIdentityConfig;
import dev.irsa.core.SessionState;
import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;

/**
 * The credentials a Kafka callback handler signs with: an {@link IrsaCredentialsProvider} warmed when the handler is
 * configured (on the thread that builds the Kafka client), then read only from its cache, so a Kafka network thread
 * never waits for STS. Thread-safe.
 */
public final class KafkaCredentials implements AutoCloseable {
    /**
     * The Kafka client property that hands over a provider built in code (an {@link IrsaCredentialsProvider}). Its
     * name starts with {@code sasl.} because Kafka shares one OAUTHBEARER login among the clients whose {@code sasl.*}
     * properties are equal: a provider under another name would not tell two clients' logins apart.
     */
    public static final String PROVIDER_CONFIG = "sasl.irsa.credentials.provider";
    /** The first name of {@link #PROVIDER_CONFIG}, still read; OAUTHBEARER clients sharing a login ignore it. */
    public static final String LEGACY_PROVIDER_CONFIG = "irsa.credentials.provider";
    /** The Kafka client property that may hold a {@link Clock} to sign and check expiry by (for tests). */
    public static final String CLOCK_CONFIG = "sasl.irsa.clock";
    /** The first name of {@link #CLOCK_CONFIG}, still read. */
    public static final String LEGACY_CLOCK_CONFIG = "irsa.clock";
    /** The most this keeps clear of a credential's expiry: none is signed with closer to it than its margin. */
    static final Duration MAX_EXPIRY_MARGIN = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(KafkaCredentials.class);
    private static final ResolveIdentityRequest REQUEST = ResolveIdentityRequest.builder().build();

    /**
     * The application's providers (the Spring bean, while its context lives): what a client that resolves its own
     * provider is compared with. More than one only where several contexts live in one JVM (a test's context cache).
     */
    private static final List<java.util.function.Supplier<IrsaCredentialsProvider>> applications = new CopyOnWriteArrayList<>();
    /** The differences already warned about: one WARN for each, however many clients share it. */
    private static final Set<String> warned = ConcurrentHashMap.newKeySet();

    private final IrsaCredentialsProvider provider;
    /** Whether this built the provider (and so closes it). */
    private final boolean owned;
    private final Clock clock;
    /** The role assumed from the pod's credentials ({@code awsRoleArn}), or null. */
    private final String chainedRole;
    /** With {@code awsDebugCreds=true}: logs the principal of each new set of credentials; else null. */
    private volatile SigningIdentityLog identityLog;
    /** The credentials served last, and their lifetime: served again while a refresh runs, up to their margin. */
    private volatile Served last;

    /**
     * @param lifetime how long the credentials were valid for when the session obtained them, or null when unknown
     */
    private record Served(AwsSessionCredentials credentials, Duration lifetime) {
        /**
         * Whether these may still sign at {@code now}: before their expiry less the {@link #margin()}. A
         * credential that expires during the trip to the broker, or a little early by the broker's clock, would
         * be refused there.
         */
        boolean usableAt(Instant now) {
            Instant expiry = credentials.expirationTime().orElse(null);
            return expiry != null && now.isBefore(expiry.minus(margin()));
        }

        /**
         * {@link #MAX_EXPIRY_MARGIN}, or a fortieth of the lifetime where that is less (credentials of under 200 s,
         * only ever short test credentials: the fraction keeps the margin inside their mandatory window). The lifetime
         * counts from when the session obtained them, not from when this client first saw them: a client built late in
         * their life (during an STS outage, say) keeps the same margin as one that saw them arrive.
         */
        Duration margin() {
            if (lifetime == null) {
                return MAX_EXPIRY_MARGIN;
            }
            Duration m = lifetime.dividedBy(40);
            return m.compareTo(MAX_EXPIRY_MARGIN) > 0 ? MAX_EXPIRY_MARGIN : m.isNegative() ? Duration.ZERO : m;
        }
    }

    /**
     * The lifetime {@code s} had when the session obtained them (its state's last refresh to their expiry), by the
     * session's own clock; null when the session's state describes other credentials (a refresh landed meanwhile) or
     * none, and then the full margin applies.
     */
    private Duration lifetimeOf(AwsSessionCredentials s) {
        Instant expiry = s.expirationTime().orElse(null);
        return expiry == null ? null : provider.state()
                .filter(st -> st.lastRefresh() != null && expiry.equals(st.expiration()))
                .map(st -> Duration.between(st.lastRefresh(), expiry)).orElse(null);
    }

    private KafkaCredentials(IrsaCredentialsProvider provider, boolean owned, Clock clock, String chainedRole) {
        this.provider = provider;
        this.owned = owned;
        this.clock = clock;
        this.chainedRole = chainedRole;
    }

    /**
     * Makes {@code provider} the application's (irsa-kafka's Spring auto-configuration does, with the application's
     * bean, while its context lives): a Kafka client that resolves a provider of its own, from the pod's environment,
     * with an IRSA configuration that would not share the application's session logs one WARN naming the difference.
     *
     * @param provider the application's provider
     * @return what ends the registration
     */
    public static AutoCloseable registerApplicationProvider(IrsaCredentialsProvider provider) {
        java.util.Objects.requireNonNull(provider, "provider");
        return registerApplicationProvider(() -> provider);
    }

    /**
     * As {@link #registerApplicationProvider(IrsaCredentialsProvider)}, the provider looked up only when a Kafka client
     * first needs the comparison (a {@code @Lazy} bean is not created before), and skipped while it gives null.
     *
     * @param provider gives the application's provider, or null when it has none
     * @return what ends the registration
     */
    public static AutoCloseable registerApplicationProvider(java.util.function.Supplier<IrsaCredentialsProvider> provider) {
        java.util.Objects.requireNonNull(provider, "provider");
        applications.add(provider);
        return () -> applications.remove(provider);
    }

    /**
     * Logs one WARN (per distinct difference) when {@code own}, the provider a client resolved from the pod's
     * environment, would not share a session with any application provider registered: it signs as another
     * principal, or at least with a second session.
     */
    private static void warnIfNotTheApplications(IrsaCredentialsProvider own, String mechanism) {
        IrsaConfig mine = own.config().orElse(null);
        PodIdentityConfig minePod = own.podIdentityConfig().orElse(null);
        List<String> first = null;
        for (java.util.function.Supplier<IrsaCredentialsProvider> registered : applications) {
            IrsaCredentialsProvider app;
            try {
                app = registered.get();
            } catch (RuntimeException e) {
                // only a check: the application's provider cannot be had (a context closing); this client goes on
                log.debug("The application's IRSA provider could not be looked up for the comparison", e);
                continue;
            }
            if (app == null) {
                continue;
            }
            IrsaConfig theirs = app.config().orElse(null);
            PodIdentityConfig theirsPod = app.podIdentityConfig().orElse(null);
            if (minePod != null && theirsPod != null) {
                // One agent and association, but settings that make another session (token, timeouts, refresh)
                List<String> d = theirsPod.sessionDifferences(minePod, "application", "this Kafka client");
                if (d.isEmpty()) {
                    return;
                }
                first = first != null ? first : d;
                continue;
            }
            if (mine == null || theirs == null) {
                if (own.source().equals(app.source())) {
                    return; // neither configured
                }
                first = first != null ? first : List.of("credential source (application: "
                        + app.source().map(Object::toString).orElse("none") + ", this Kafka client: "
                        + own.source().map(Object::toString).orElse("none") + ")");
                continue;
            }
            List<String> d = theirs.sessionDifferences(mine, "application", "this Kafka client");
            if (d.isEmpty()) {
                return;
            }
            first = first != null ? first : d;
        }
        if (first != null && warned.add(String.join("; ", first))) {
            log.warn("IRSA: a Kafka {} client that hands over no IrsaCredentialsProvider (one built outside Spring,"
                    + " with new KafkaProducer/KafkaConsumer/Admin.create) resolved its IRSA configuration from the"
                    + " pod's environment alone, and it differs from the application's (irsa.*): {}. It signs with a"
                    + " session of its own (a second call to STS or the Pod Identity agent), perhaps as another"
                    + " principal. Hand it the application's IrsaCredentialsProvider bean in {}.", mechanism,
                    String.join("; ", first), PROVIDER_CONFIG);
        }
    }

    /**
     * The object in {@code name}, else in {@code legacyName}; both set must be the same object.
     *
     * @throws IllegalArgumentException when both are set to different objects, or the value is not a {@code type}
     */
    static <T> T config(Map<String, ?> configs, String name, String legacyName, Class<T> type) {
        Object given = configs.get(name);
        Object legacy = configs.get(legacyName);
        if (given != null && legacy != null && given != legacy) {
            throw new IllegalArgumentException("The Kafka properties " + name + " and " + legacyName + " hold different"
                    + " objects; set only " + name + " (the other is its former name).");
        }
        Object v = given != null ? given : legacy;
        if (v != null && !type.isInstance(v)) {
            throw new IllegalArgumentException("The Kafka property " + (given != null ? name : legacyName)
                    + " must hold a " + type.getName() + " instance, not a " + v.getClass().getName()
                    + (type == IrsaCredentialsProvider.class
                    ? "; leave it out to use the pod's IRSA or EKS Pod Identity environment." : "."));
        }
        return type.cast(v);
    }

    /**
     * The clock from {@value #CLOCK_CONFIG} (or {@value #LEGACY_CLOCK_CONFIG}), else the system clock.
     *
     * @param configs the Kafka client's configuration
     * @return the clock
     * @throws IllegalArgumentException if the property holds something else than a {@link Clock}
     */
    public static Clock clock(Map<String, ?> configs) {
        Clock c = config(configs, CLOCK_CONFIG, LEGACY_CLOCK_CONFIG, Clock.class);
        return c == null ? Clock.systemUTC() : c;
    }

    /**
     * The provider from {@value #PROVIDER_CONFIG} (or {@value #LEGACY_PROVIDER_CONFIG}), else one from the pod's
     * environment, or the role {@code awsRoleArn} assumed from it; fetches its credentials now.
     *
     * @param configs the Kafka client's configuration
     * @param mechanism the SASL mechanism, for messages
     * @param options the options of the client's {@code sasl.jaas.config}
     * @return the warmed credentials
     * @throws IllegalArgumentException if the provider or clock property holds something else than an
     *                                  {@link IrsaCredentialsProvider} or a {@link Clock}
     * @throws IllegalStateException if no credentials can be had (the message says why)
     */
    public static KafkaCredentials configure(Map<String, ?> configs, String mechanism, MskJaasOptions options) {
        IrsaCredentialsProvider given = config(configs, PROVIDER_CONFIG, LEGACY_PROVIDER_CONFIG, IrsaCredentialsProvider.class);
        Clock clock = clock(configs);
        IrsaCredentialsProvider base = given != null ? given : IrsaCredentialsProvider.create();
        if (given == null) {
            warnIfNotTheApplications(base, mechanism);
        }
        ChainedRoleConfig chained = options.chainedRole();
        // The role named in the JAAS options is refreshed as the application's own session is (irsa.refresh.*, the
        // provider's RefreshPolicy): the options cannot say how, and the defaults would ignore what the user set.
        ChainedRoleConfig role = chained == null ? null : base.refreshPolicy()
                .map(p -> chained.toBuilder().refreshPolicy(p).build()).orElse(chained);
        IrsaCredentialsProvider provider = base;
        if (role != null) {
            try {
                provider = assume(base, role, mechanism);
            } finally {
                if (given == null) {
                    base.close(); // the chained provider holds its own share of the pod's session
                }
            }
        }
        KafkaCredentials c = new KafkaCredentials(provider, given == null || role != null, clock,
                role == null ? null : role.roleArn().toString());
        try {
            // Blocking is fine here: Kafka configures handlers on the thread that builds the client (with
            // group.protocol=consumer, on the consumer's background thread), never while it serves connections.
            // Failing here fails the client's construction with the reason, not its first send.
            if (provider.resolveCredentials() instanceof AwsSessionCredentials s) {
                c.last = new Served(s, c.lifetimeOf(s));
                if (options.debugCreds()) {
                    c.identityLog = new SigningIdentityLog(mechanism, provider, options.stsRegion(), SettingsSource.system());
                    c.identityLog.now(s);
                }
            }
        } catch (RuntimeException e) {
            c.close();
            throw new IllegalStateException("Kafka " + mechanism + " authentication needs IRSA credentials"
                    + (role == null ? "" : " to assume " + role.roleArn() + " (awsRoleArn) with") + ", and none could be"
                    + " had: " + e.getMessage(), e);
        }
        log.debug("Kafka {} authentication uses {}", mechanism, c);
        return c;
    }

    /** {@code base.assumeRole(role)}, failing with what to do where it cannot be assumed (no credentials, no region). */
    private static IrsaCredentialsProvider assume(IrsaCredentialsProvider base, ChainedRoleConfig role, String mechanism) {
        try {
            return base.assumeRole(role);
        } catch (SdkClientException e) {
            throw new IllegalStateException("Kafka " + mechanism + " authentication needs IRSA credentials to assume "
                    + role.roleArn() + " (awsRoleArn) with, and none can be had: " + e.getMessage(), e);
        }
    }

    /**
     * The cached credentials, without waiting: for a Kafka network thread. While a refresh runs in the last minute
     * before expiry (when the provider would make a caller wait), the credentials served last are served again. On
     * every path the credentials are kept clear of their expiry by a margin ({@link #usable}).
     *
     * @return valid session credentials, outside the margin of their expiry
     * @throws IOException when no such credentials are at hand (a refresh is under way, or STS fails and the last
     *                     ones are within the margin or expired): the message says which; Kafka fails that
     *                     authentication
     */
    public AwsSessionCredentials current() throws IOException {
        CompletableFuture<? extends AwsCredentialsIdentity> f = provider.resolveIdentity(REQUEST);
        Throwable failure = null;
        if (f.isDone()) {
            try {
                remember(f.join());
            } catch (CompletionException | CancellationException e) {
                failure = e.getCause() != null ? e.getCause() : e;
            }
        }
        // A pending future: the provider is refreshing in its mandatory window and would have a caller wait; a
        // network thread cannot, and the credentials served last may still do.
        return usable(failure != null ? failure.getMessage() : f.isDone() ? null
                : "the refresh is under way, and a Kafka network thread does not wait for STS", failure);
    }

    /**
     * Valid credentials, waiting (bounded by the provider's wait timeout) if a refresh is due: only for threads that
     * may wait, as Kafka's OAUTHBEARER login refresh thread, which would otherwise sleep before trying again. The
     * same margin as {@link #current()} applies.
     *
     * @return valid session credentials, outside the margin of their expiry
     * @throws IOException when none can be had (the message says why)
     */
    public AwsSessionCredentials awaitCurrent() throws IOException {
        try {
            remember(provider.resolveCredentials());
        } catch (RuntimeException e) {
            return usable(e.getMessage(), e);
        }
        return usable(null, null);
    }

    /** Makes {@code answered} the credentials served last, unless they are those already. */
    private void remember(AwsCredentialsIdentity answered) throws IOException {
        AwsSessionCredentials s;
        if (answered instanceof AwsSessionCredentials a) {
            s = a;
        } else if (answered instanceof AwsSessionCredentialsIdentity a) {
            s = AwsSessionCredentials.builder().accessKeyId(a.accessKeyId()).secretAccessKey(a.secretAccessKey())
                    .sessionToken(a.sessionToken()).expirationTime(a.expirationTime().orElse(null)).build();
        } else {
            throw new IOException("IRSA credentials without a session token cannot sign for Amazon MSK: " + provider);
        }
        Served l = last;
        if (l == null || !l.credentials().accessKeyId().equals(s.accessKeyId())) {
            synchronized (this) { // rare: once per refresh; so that one change is logged once
                l = last;
                if (l == null || !l.credentials().accessKeyId().equals(s.accessKeyId())) {
                    last = new Served(s, lifetimeOf(s));
                    SigningIdentityLog debug = identityLog;
                    if (debug != null) {
                        debug.later(s);
                    }
                }
            }
        }
    }

    /**
     * The one decision on what to sign with: the credentials served last, if they are clear of their expiry by the
     * margin ({@link Served#usableAt}), whichever way the provider answered (fresh credentials, the cached ones while
     * it backs off from a failing STS, or nothing yet); else a refusal that says why.
     *
     * @param why why the provider gave nothing newer, or null when it answered with credentials
     * @param cause the provider's failure, or null
     */
    private AwsSessionCredentials usable(String why, Throwable cause) throws IOException {
        Instant now = clock.instant();
        Served l = last;
        if (l != null && l.usableAt(now)) {
            return l.credentials();
        }
        Instant expiry = l == null ? null : l.credentials().expirationTime().orElse(null);
        String held = l == null ? "none are cached" : expiry == null ? "the last ones have no expiry time"
                : !now.isBefore(expiry) ? "the last ones expired at " + expiry
                : "the last ones expire at " + expiry + ", within the " + l.margin().toMillis()
                + " ms kept clear of expiry for clock skew and the trip to the broker";
        if (why == null) {
            // the provider still serves them (valid until expiry) because its refreshes fail: say why they fail
            why = provider.state().map(st -> st.lastError()).filter(e -> e != null)
                    .map(e -> "refreshing them fails: " + e).orElse("no newer ones have arrived");
        }
        if (provider.state().map(SessionState::clockAhead).orElse(false)) {
            // served under the minimum refresh interval: valid at AWS, but this clock (and so the signature's) is wrong
            why += ". This machine's clock is most likely ahead of AWS's: the session's credentials looked expired or"
                    + " too short when they arrived (it serves them while still valid at AWS), and a signature made on"
                    + " this clock would be refused too. Check NTP on the node (chronyc tracking, timedatectl)";
        }
        throw new IOException("No IRSA credentials for Kafka authentication: " + held + "; " + why + " (" + provider
                + ")", cause);
    }

    /** {@return the provider signing for Kafka} */
    public IrsaCredentialsProvider provider() {
        return provider;
    }

    /**
     * Releases the provider if this built it (the pod's, or a chained role's); one handed over in
     * {@value #PROVIDER_CONFIG} stays its owner's.
     */
    @Override
    public void close() {
        SigningIdentityLog debug = identityLog;
        if (debug != null) {
            debug.close();
        }
        if (owned) {
            provider.close();
        }
    }

    @Override
    public String toString() {
        return "KafkaCredentials[" + (chainedRole == null ? "" : "assuming " + chainedRole + " from ") + provider + "]";
    }
}
