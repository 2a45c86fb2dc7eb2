package dev.irsa.kafka;

import dev.irsa.core.SettingsSource;
import dev.irsa.kafka.internal.KafkaCredentials;
import dev.irsa.kafka.internal.MskJaasOptions;
import dev.irsa.kafka.internal.MskAuthToken;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.auth.SaslExtensionsCallback;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerTokenCallback;

/**
 * Amazon MSK IAM authentication over {@code OAUTHBEARER} with IRSA or EKS Pod Identity credentials: the
 * {@code sasl.login.callback.handler.class} that makes MSK's tokens (the base64url form of a SigV4-presigned
 * {@code https://kafka.<region>.amazonaws.com/?Action=kafka-cluster%3AConnect} URL, as AWS's
 * {@code aws-msk-iam-sasl-signer-java} makes them) from an {@code IrsaCredentialsProvider}. No AWS library but the
 * SDK's signer is involved.
 *
 * <pre>
 * security.protocol=SASL_SSL
 * sasl.mechanism=OAUTHBEARER
 * sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;
 * sasl.login.callback.handler.class=dev.irsa.kafka.IrsaMskOAuthBearerLoginCallbackHandler
 * </pre>
 *
 * <p>A token is valid for 15 minutes, or less: never past the credentials' expiry, so the session the broker grants
 * (which ends with the token) never outlives them either. Kafka asks for tokens when the client is built and then on
 * its own login refresh thread, ahead of the token's expiry, never on a network thread; the answer comes from the
 * credentials the provider caches and refreshes in the background (waiting, bounded, only when a refresh is due). {@link #configure} fetches them first (on the thread that
 * builds the client) and fails the client's construction with the reason if there are none.
 *
 * <p>The region is the JAAS option {@code region}, else {@code aws.region}, {@code AWS_REGION} or
 * {@code AWS_DEFAULT_REGION} (which EKS sets in every IRSA pod). The credentials come from the pod's environment,
 * or from an {@code IrsaCredentialsProvider} handed over in the property {@value #PROVIDER_CONFIG}; a
 * {@link Clock} in the property {@value #CLOCK_CONFIG} replaces the system clock (tests). Both names start with
 * {@code sasl.} because Kafka shares one login (one instance of this handler) among clients whose {@code sasl.*}
 * properties are equal. The JAAS options of AWS's {@code IAMOAuthBearerLoginCallbackHandler} ({@code awsRoleArn},
 * {@code awsRoleSessionName}, {@code awsRoleExternalId}, {@code awsStsRegion}, {@code awsDebugCreds}) are honoured
 * as for {@link IrsaMskIamCallbackHandler}; any other option but {@code region} fails {@link #configure}.
 * Thread-safe; Kafka creates it by
 * name and closes it with the client.
 * @since 0.1.0
 */
public final class IrsaMskOAuthBearerLoginCallbackHandler implements AuthenticateCallbackHandler {
    /** The SASL mechanism this handler serves. */
    public static final String MECHANISM = OAuthBearerLoginModule.OAUTHBEARER_MECHANISM;
    /**
     * The Kafka property that may hand over an {@code IrsaCredentialsProvider} built in code (which its owner keeps
     * and closes). Kafka shares one OAUTHBEARER login, and so one instance of this handler, among the clients of a
     * JVM whose {@code sasl.*} properties are equal; this name starts with {@code sasl.} so that clients with
     * different providers get different logins. The former name {@code irsa.credentials.provider} is still read,
     * but a client using it shares the login (and the provider) of an earlier client with equal {@code sasl.*}
     * properties.
     */
    public static final String PROVIDER_CONFIG = KafkaCredentials.PROVIDER_CONFIG;
    /** The Kafka property that may hold a {@link Clock} to sign by (for tests); formerly {@code irsa.clock}. */
    public static final String CLOCK_CONFIG = KafkaCredentials.CLOCK_CONFIG;

    private volatile KafkaCredentials credentials;
    private volatile String region;
    private volatile Clock clock = Clock.systemUTC();

    /** Creates the handler (Kafka does, by name). */
    public IrsaMskOAuthBearerLoginCallbackHandler() {
    }

    /**
     * Resolves the region and fetches the credentials (blocking, bounded by the provider's wait timeout).
     *
     * @throws IllegalArgumentException if the mechanism is not {@code OAUTHBEARER}, no region is configured,
     *                                  {@value #PROVIDER_CONFIG} or {@value #CLOCK_CONFIG} holds something else, or
     *                                  the JAAS line has an option this handler does not honour
     * @throws IllegalStateException if no credentials can be had (the message says why)
     */
    @Override
    public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
        if (!MECHANISM.equals(saslMechanism)) {
            throw new IllegalArgumentException(getClass().getName() + " serves sasl.mechanism=" + MECHANISM + ", not "
                    + saslMechanism + (IrsaMskIamCallbackHandler.MECHANISM.equals(saslMechanism)
                    ? "; for AWS_MSK_IAM set sasl.client.callback.handler.class="
                    + IrsaMskIamCallbackHandler.class.getName() : "") + ".");
        }
        Clock c = KafkaCredentials.clock(configs);
        MskJaasOptions options = MskJaasOptions.parse(jaasConfigEntries, true);
        String r = Optional.ofNullable(options.region())
                .or(() -> SettingsSource.system().first("aws.region", "AWS_REGION", "AWS_DEFAULT_REGION"))
                .filter(s -> !s.isBlank()).orElseThrow(() -> new IllegalArgumentException("MSK OAUTHBEARER tokens name"
                        + " the cluster's region, and none is configured: set AWS_REGION (EKS sets it in IRSA pods), the"
                        + " system property aws.region, or the option region=\"<region>\" in sasl.jaas.config."));
        if (!r.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("Not an AWS region: '" + r + "'.");
        }
        KafkaCredentials previous = credentials;
        region = r;
        clock = c;
        credentials = KafkaCredentials.configure(configs, MECHANISM, options);
        if (previous != null) {
            previous.close();
        }
    }

    /**
     * Answers the token callback with a token signed from the cached credentials, and the extensions callback with
     * none.
     *
     * @throws IOException when no valid credentials can be had (Kafka's refresh thread retries)
     * @throws UnsupportedCallbackException for any other callback
     */
    @Override
    public void handle(Callback[] callbacks) throws IOException, UnsupportedCallbackException {
        for (Callback c : callbacks) {
            if (c instanceof OAuthBearerTokenCallback cb) {
                KafkaCredentials k = credentials;
                if (k == null) {
                    throw new IllegalStateException(getClass().getName() + " was not configured");
                }
                try {
                    // Kafka asks on the thread building the client and on its login refresh thread, never on a network
                    // thread (which reads the token from the login's subject): waiting for a due refresh is fine here.
                    cb.token(MskAuthToken.sign(k.awaitCurrent(), region, clock));
                } catch (IllegalStateException e) {
                    throw new IOException(e.getMessage(), e);
                }
            } else if (c instanceof SaslExtensionsCallback) {
                // MSK's tokens carry no SASL extensions: leave the callback's empty set.
                continue;
            } else {
                throw new UnsupportedCallbackException(c, getClass().getName() + " answers only OAUTHBEARER login"
                        + " callbacks; set it as sasl.login.callback.handler.class with OAuthBearerLoginModule.");
            }
        }
    }

    @Override
    public void close() {
        KafkaCredentials k = credentials;
        if (k != null) {
            k.close();
        }
    }

    @Override
    public String toString() {
        return "IrsaMskOAuthBearerLoginCallbackHandler[region=" + region + ", " + credentials + "]";
    }
}
