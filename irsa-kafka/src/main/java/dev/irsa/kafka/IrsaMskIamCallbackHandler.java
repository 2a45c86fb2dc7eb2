package dev.irsa.kafka;

import dev.irsa.kafka.internal.KafkaCredentials;
import dev.irsa.kafka.internal.MskJaasOptions;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import software.amazon.msk.auth.iam.IAMLoginModule;
import software.amazon.msk.auth.iam.internals.AWSCredentialsCallback;

/**
 * Amazon MSK IAM authentication ({@code AWS_MSK_IAM}) with IRSA or EKS Pod Identity credentials: the
 * {@code sasl.client.callback.handler.class} for AWS's {@code IAMLoginModule}, which keeps signing the payload MSK
 * expects while this handler supplies the credentials of an {@code IrsaCredentialsProvider}.
 *
 * <pre>
 * security.protocol=SASL_SSL
 * sasl.mechanism=AWS_MSK_IAM
 * sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;
 * sasl.client.callback.handler.class=dev.irsa.kafka.IrsaMskIamCallbackHandler
 * </pre>
 *
 * <p>{@link #configure} (run by Kafka on the thread that builds the client; with {@code group.protocol=consumer}, on
 * the consumer's background thread, where Kafka creates that client's network client) fetches the credentials, and fails the
 * client's construction with the reason if there are none. Afterwards every authentication and re-authentication,
 * which Kafka runs on its network thread, is answered from the cached credentials that the provider refreshes in the
 * background: it never waits for STS. While a refresh runs in the last minute before expiry it signs with the
 * credentials it served last, as long as they stay valid; when none are valid it fails that attempt with the reason,
 * and Kafka surfaces the failure to the application ({@code SaslAuthenticationException} from the next call) before
 * it connects again. The role session name, and so the principal MSK sees
 * ({@code assumed-role/<role>/<session name>}), stays the same across refreshes, as MSK's re-authentication demands.
 * MSK ends each session when the signing credentials expire; Kafka then re-authenticates with the refreshed ones.
 *
 * <p>By default the credentials come from the pod's environment ({@code IrsaCredentialsProvider.create()}, sharing
 * its session with every other user of it in the JVM). A client built in code may hand over its own provider in the
 * property {@value #PROVIDER_CONFIG} (an {@code IrsaCredentialsProvider} instance, which it keeps owning; the
 * former name {@code irsa.credentials.provider} is still read).
 *
 * <p>The options of AWS's JAAS line are read as aws-msk-iam-auth reads them: {@code awsRoleArn} (signed as, assumed
 * with {@code sts:AssumeRole} from the pod's IRSA role), {@code awsRoleSessionName} (default
 * {@code aws-msk-iam-auth}), {@code awsRoleExternalId}, {@code awsStsRegion} and {@code awsDebugCreds} (one INFO
 * line naming the principal per set of credentials). Any other option fails {@link #configure} with the reason.
 * Thread-safe; Kafka creates it by name and closes it with the client.
 * @since 0.1.0
 */
public final class IrsaMskIamCallbackHandler implements AuthenticateCallbackHandler {
    /** The SASL mechanism this handler serves. */
    public static final String MECHANISM = IAMLoginModule.MECHANISM;
    /** The Kafka property that may hand over an {@code IrsaCredentialsProvider} built in code. */
    public static final String PROVIDER_CONFIG = KafkaCredentials.PROVIDER_CONFIG;

    private volatile KafkaCredentials credentials;

    /** Creates the handler (Kafka does, by name). */
    public IrsaMskIamCallbackHandler() {
    }

    /**
     * Fetches the credentials (blocking, bounded by the provider's wait timeout).
     *
     * @throws IllegalArgumentException if the mechanism is not {@code AWS_MSK_IAM}, {@value #PROVIDER_CONFIG}
     *                                  holds something else than an {@code IrsaCredentialsProvider}, or the JAAS
     *                                  line has an option this handler does not honour (the message says why)
     * @throws IllegalStateException if no credentials can be had (the message says why)
     */
    @Override
    public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
        if (!MECHANISM.equals(saslMechanism)) {
            throw new IllegalArgumentException(getClass().getName() + " serves sasl.mechanism=" + MECHANISM + ", not "
                    + saslMechanism + (IrsaMskOAuthBearerLoginCallbackHandler.MECHANISM.equals(saslMechanism)
                    ? "; for OAUTHBEARER set sasl.login.callback.handler.class="
                    + IrsaMskOAuthBearerLoginCallbackHandler.class.getName() : "") + ".");
        }
        MskJaasOptions options = MskJaasOptions.parse(jaasConfigEntries, false);
        KafkaCredentials previous = credentials;
        credentials = KafkaCredentials.configure(configs, MECHANISM, options);
        if (previous != null) {
            previous.close();
        }
    }

    /**
     * Answers {@code IAMLoginModule}'s credentials callback from the cache, without waiting.
     *
     * @throws UnsupportedCallbackException for any other callback
     */
    @Override
    public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
        for (Callback c : callbacks) {
            if (c instanceof AWSCredentialsCallback cb) {
                KafkaCredentials k = credentials;
                if (k == null) {
                    cb.setLoadingException(new IllegalStateException(getClass().getName() + " was not configured"));
                    continue;
                }
                try {
                    cb.setAwsCredentials(k.current());
                } catch (IOException e) {
                    cb.setLoadingException(e);
                }
            } else {
                throw new UnsupportedCallbackException(c, getClass().getName() + " answers only "
                        + AWSCredentialsCallback.class.getName() + "; is sasl.mechanism " + MECHANISM
                        + " with IAMLoginModule?");
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
        return "IrsaMskIamCallbackHandler[" + credentials + "]";
    }
}
