package dev.irsa.kafka.internal;

import dev.irsa.sdk.IrsaCredentialsProvider;
import java.io.IOException;
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
    /** The Kafka client property that hands over a provider built in code (an {@link IrsaCredentialsProvider}). */
    public static final String PROVIDER_CONFIG = "irsa.credentials.provider";
    private static final Logger log = LoggerFactory.getLogger(KafkaCredentials.class);
    private static final ResolveIdentityRequest REQUEST = ResolveIdentityRequest.builder().build();

    private final IrsaCredentialsProvider provider;
    /** Whether this built the provider (and so closes it). */
    private final boolean owned;

    private KafkaCredentials(IrsaCredentialsProvider provider, boolean owned) {
        this.provider = provider;
        this.owned = owned;
    }

    /**
     * The provider from {@value #PROVIDER_CONFIG}, else one from the pod's environment; fetches its credentials now.
     *
     * @param configs the Kafka client's configuration
     * @param mechanism the SASL mechanism, for messages
     * @return the warmed credentials
     * @throws IllegalArgumentException if {@value #PROVIDER_CONFIG} holds something else than an {@link IrsaCredentialsProvider}
     * @throws IllegalStateException if no credentials can be had (the message says why)
     */
    public static KafkaCredentials configure(Map<String, ?> configs, String mechanism) {
        Object given = configs.get(PROVIDER_CONFIG);
        if (given != null && !(given instanceof IrsaCredentialsProvider)) {
            throw new IllegalArgumentException("The Kafka property " + PROVIDER_CONFIG + " must hold an "
                    + IrsaCredentialsProvider.class.getName() + " instance, not a " + given.getClass().getName()
                    + "; leave it out to use the pod's IRSA or EKS Pod Identity environment.");
        }
        IrsaCredentialsProvider provider = given != null ? (IrsaCredentialsProvider) given : IrsaCredentialsProvider.create();
        KafkaCredentials c = new KafkaCredentials(provider, given == null);
        try {
            // Blocking is fine here: Kafka configures handlers on the thread that builds the client, never on its
            // network thread. Failing here fails the client's construction with the reason, not its first send.
            provider.resolveCredentials();
        } catch (RuntimeException e) {
            c.close();
            throw new IllegalStateException("Kafka " + mechanism + " authentication needs IRSA credentials, and none"
                    + " could be had: " + e.getMessage(), e);
        }
        log.debug("Kafka {} authentication uses {}", mechanism, provider);
        return c;
    }

    /**
     * The cached credentials, without waiting: for a Kafka network thread.
     *
     * @return valid session credentials
     * @throws IOException when no valid credentials are cached (a refresh is under way or failing): the message says
     *                     which, and Kafka retries the connection after its backoff
     */
    public AwsSessionCredentials current() throws IOException {
        CompletableFuture<? extends AwsCredentialsIdentity> f = provider.resolveIdentity(REQUEST);
        if (f.isDone() && !f.isCompletedExceptionally() && !f.isCancelled()) {
            AwsCredentialsIdentity id = f.join();
            if (id instanceof AwsSessionCredentials s) {
                return s;
            }
            if (id instanceof AwsSessionCredentialsIdentity s) {
                return AwsSessionCredentials.builder().accessKeyId(s.accessKeyId()).secretAccessKey(s.secretAccessKey())
                        .sessionToken(s.sessionToken()).expirationTime(s.expirationTime().orElse(null)).build();
            }
            throw new IOException("IRSA credentials without a session token cannot sign for Amazon MSK: " + provider);
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
        throw new IOException("No valid IRSA credentials are cached for Kafka authentication yet, and a Kafka network"
                + " thread does not wait for STS: the refresh is under way, and the client retries after its"
                + " reconnect backoff (" + provider + ")");
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
