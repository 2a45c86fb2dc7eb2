package dev.irsa.kafka.internal;

import dev.irsa.sdk.IrsaCredentialsProvider;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
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
    /** The most this keeps clear of a cached credential's expiry when serving it while a refresh runs. */
    static final Duration MAX_EXPIRY_MARGIN = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(KafkaCredentials.class);
    private static final ResolveIdentityRequest REQUEST = ResolveIdentityRequest.builder().build();

    private final IrsaCredentialsProvider provider;
    /** Whether this built the provider (and so closes it). */
    private final boolean owned;
    private final Clock clock;
    /** The credentials served last, and when they were first seen: served again while a refresh runs. */
    private volatile Served last;

    private record Served(AwsSessionCredentials credentials, Instant firstSeen) {
        /**
         * Whether these may still sign at {@code now}: before their expiry less a margin of a fortieth of the
         * lifetime seen, at most {@link #MAX_EXPIRY_MARGIN} (for clock skew and the trip to the broker; the
         * fraction keeps the margin inside the mandatory window of short test credentials).
         */
        boolean usableAt(Instant now) {
            Instant expiry = credentials.expirationTime().orElse(null);
            if (expiry == null) {
                return false;
            }
            Duration margin = Duration.between(firstSeen, expiry).dividedBy(40);
            margin = margin.compareTo(MAX_EXPIRY_MARGIN) > 0 ? MAX_EXPIRY_MARGIN : margin;
            return now.isBefore(expiry.minus(margin));
        }
    }

    private KafkaCredentials(IrsaCredentialsProvider provider, boolean owned, Clock clock) {
        this.provider = provider;
        this.owned = owned;
        this.clock = clock;
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
     * environment; fetches its credentials now.
     *
     * @param configs the Kafka client's configuration
     * @param mechanism the SASL mechanism, for messages
     * @return the warmed credentials
     * @throws IllegalArgumentException if the provider or clock property holds something else than an
     *                                  {@link IrsaCredentialsProvider} or a {@link Clock}
     * @throws IllegalStateException if no credentials can be had (the message says why)
     */
    public static KafkaCredentials configure(Map<String, ?> configs, String mechanism) {
        IrsaCredentialsProvider given = config(configs, PROVIDER_CONFIG, LEGACY_PROVIDER_CONFIG, IrsaCredentialsProvider.class);
        Clock clock = clock(configs);
        IrsaCredentialsProvider provider = given != null ? given : IrsaCredentialsProvider.create();
        KafkaCredentials c = new KafkaCredentials(provider, given == null, clock);
        try {
            // Blocking is fine here: Kafka configures handlers on the thread that builds the client (with
            // group.protocol=consumer, on the consumer's background thread), never while it serves connections.
            // Failing here fails the client's construction with the reason, not its first send.
            if (provider.resolveCredentials() instanceof AwsSessionCredentials s) {
                c.last = new Served(s, clock.instant());
            }
        } catch (RuntimeException e) {
            c.close();
            throw new IllegalStateException("Kafka " + mechanism + " authentication needs IRSA credentials, and none"
                    + " could be had: " + e.getMessage(), e);
        }
        log.debug("Kafka {} authentication uses {}", mechanism, provider);
        return c;
    }

    /**
     * The cached credentials, without waiting: for a Kafka network thread. While a refresh runs in the last minute
     * before expiry (when the provider would make a caller wait), the credentials served last are served again as
     * long as they stay valid, less a margin.
     *
     * @return valid session credentials
     * @throws IOException when no valid credentials are cached (a refresh is under way or failing past their expiry):
     *                     the message says which; Kafka fails that authentication
     */
    public AwsSessionCredentials current() throws IOException {
        CompletableFuture<? extends AwsCredentialsIdentity> f = provider.resolveIdentity(REQUEST);
        if (f.isDone() && !f.isCompletedExceptionally() && !f.isCancelled()) {
            AwsCredentialsIdentity id = f.join();
            AwsSessionCredentials s;
            if (id instanceof AwsSessionCredentials a) {
                s = a;
            } else if (id instanceof AwsSessionCredentialsIdentity a) {
                s = AwsSessionCredentials.builder().accessKeyId(a.accessKeyId()).secretAccessKey(a.secretAccessKey())
                        .sessionToken(a.sessionToken()).expirationTime(a.expirationTime().orElse(null)).build();
            } else {
                throw new IOException("IRSA credentials without a session token cannot sign for Amazon MSK: " + provider);
            }
            Served l = last;
            if (l == null || !l.credentials().accessKeyId().equals(s.accessKeyId())) {
                last = new Served(s, clock.instant());
            }
            return s;
        }
        Served l = last;
        if (l != null && l.usableAt(clock.instant())) {
            // The provider is refreshing in its mandatory window and would have a caller wait; a network thread
            // cannot, and the credentials it served last are still valid: sign with those.
            return l.credentials();
        }
        if (f.isDone()) {
            Throwable cause;
            try {
                f.join();
                cause = null;
            } catch (CompletionException | java.util.concurrent.CancellationException e) {
                cause = e.getCause() != null ? e.getCause() : e;
            }
            throw new IOException("No IRSA credentials for Kafka authentication: "
                    + (cause == null ? "none cached" : cause.getMessage()), cause);
        }
        throw new IOException("No valid IRSA credentials are cached for Kafka authentication (the last ones expire"
                + " within moments or have expired), and a Kafka network thread does not wait for STS: the refresh is"
                + " under way (" + provider + ")");
    }

    /**
     * Valid credentials, waiting (bounded by the provider's wait timeout) if a refresh is due: only for threads that
     * may wait, as Kafka's OAUTHBEARER login refresh thread, which would otherwise sleep before trying again.
     *
     * @return valid session credentials
     * @throws IOException when none can be had (the message says why)
     */
    public AwsSessionCredentials awaitCurrent() throws IOException {
        try {
            if (provider.resolveCredentials() instanceof AwsSessionCredentials s) {
                return s;
            }
        } catch (RuntimeException e) {
            throw new IOException("No IRSA credentials for Kafka authentication: " + e.getMessage(), e);
        }
        throw new IOException("IRSA credentials without a session token cannot sign for Amazon MSK: " + provider);
    }

    /** {@return the provider signing for Kafka} */
    public IrsaCredentialsProvider provider() {
        return provider;
    }

    /** Releases the provider if this built it; one handed over in {@value #PROVIDER_CONFIG} stays its owner's. */
    @Override
    public void close() {
        if (owned) {
            provider.close();
        }
    }

    @Override
    public String toString() {
        return "KafkaCredentials[" + provider + "]";
    }
}
