package dev.irsa.rds.jdbcwrapper;

import dev.irsa.sdk.IrsaCredentialsProvider;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.jdbc.authentication.AwsCredentialsManager;

/**
 * Makes the AWS Advanced JDBC Wrapper's AWS plugins ({@code iam}, {@code awsSecretsManager}, ...) sign with IRSA /
 * EKS Pod Identity credentials, through its custom credentials handler
 * ({@link AwsCredentialsManager#setCustomHandler}).
 *
 * <pre>{@code
 * AwsJdbcWrapperCredentials.register(IrsaCredentialsProvider.create());
 * // jdbc:aws-wrapper:postgresql://mydb...rds.amazonaws.com:5432/app?wrapperPlugins=iam&user=app_user&iamExpiration=300
 * }</pre>
 *
 * <p>What the wrapper decides, not this class (AWS JDBC Wrapper 2.6.4):
 * <ul>
 *   <li>The handler is one static, JVM-wide setting: the last {@code setCustomHandler} wins, for every data source
 *       and every host. The handler registered here answers the same provider for every host, so all data sources
 *       of the JVM that use the wrapper's AWS plugins sign with one identity. Register once at start-up, before the
 *       first connection.</li>
 *   <li>The IAM plugin signs and caches each token itself for its {@code iamExpiration} property (default 870 s),
 *       without regard to when the signing credentials expire, and retries a login only once, only with a cached
 *       token. IRSA refreshes 1-hour credentials 7.5 to 15 minutes before they expire, so a token cached for 870 s
 *       can outlive its credentials by several minutes and be refused. Set {@code iamExpiration=300} (or less) for
 *       1-hour sessions, {@code 120} for 15-minute sessions. ({@code iamTokenExpiration} is the Okta / federated
 *       plugins' property, not the IAM plugin's.) {@link dev.irsa.rds.RdsAuthTokens} with HikariCP has none of these
 *       limits: it checks the credentials' expiry for each token it hands out.</li>
 *   <li>The wrapper logs generated tokens at {@code java.util.logging} level {@code FINEST}: keep its loggers
 *       ({@code software.amazon.jdbc}) above {@code FINEST} in production.</li>
 * </ul>
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class AwsJdbcWrapperCredentials {
    /** The provider our current registration answers, or null: unregister must not clear another's handler. */
    private static final AtomicReference<AwsCredentialsProvider> REGISTERED = new AtomicReference<>();

    private AwsJdbcWrapperCredentials() {}

    /**
     * Every AWS plugin of the wrapper uses {@code provider} from now on, for every host and data source, replacing
     * any custom handler set before.
     *
     * @param provider the credentials, e.g. {@link IrsaCredentialsProvider#create()}
     */
    public static synchronized void register(AwsCredentialsProvider provider) {
        Objects.requireNonNull(provider, "provider");
        AwsCredentialsManager.setCustomHandler((hostSpec, properties) -> provider);
        REGISTERED.set(provider);
    }

    /**
     * Back to the wrapper's own choice (its {@code awsProfile} property or the SDK's default chain), if the handler
     * set is still the one {@link #register} set; a handler someone else set since is left in place.
     *
     * @return true if our handler was removed, false if none of ours was in place
     */
    public static synchronized boolean unregister() {
        AwsCredentialsProvider ours = REGISTERED.getAndSet(null);
        if (ours == null) {
            return false;
        }
        AwsCredentialsProvider current;
        try {
            // The wrapper offers no getter for the handler: ask it which provider it answers now. Ours ignores the
            // host; another handler may not cope with a null host, in which case it is not ours.
            current = AwsCredentialsManager.getProvider(null, new Properties());
        } catch (RuntimeException e) {
            return false;
        }
        if (current != ours) {
            return false;
        }
        AwsCredentialsManager.resetCustomHandler();
        return true;
    }
}
