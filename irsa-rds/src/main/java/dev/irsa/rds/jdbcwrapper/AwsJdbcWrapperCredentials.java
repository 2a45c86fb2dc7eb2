package dev.irsa.rds.jdbcwrapper;

import dev.irsa.sdk.IrsaCredentialsProvider;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.jdbc.authentication.AwsCredentialsManager;

/**
 * Makes the AWS Advanced JDBC Wrapper's AWS plugins ({@code iam}, {@code awsSecretsManager}, ...) sign with IRSA /
 * EKS Pod Identity credentials, through its custom credentials handler
 * ({@link AwsCredentialsManager#setCustomHandler}). The handler is JVM-wide, as the wrapper defines it: register once
 * at start-up, before the first connection.
 *
 * <pre>{@code
 * AwsJdbcWrapperCredentials.register(IrsaCredentialsProvider.create());
 * // jdbc:aws-wrapper:postgresql://mydb...rds.amazonaws.com:5432/app?wrapperPlugins=iam&user=app_user
 * }</pre>
 *
 * Thread-safe. The wrapper's IAM plugin signs and caches tokens itself (its {@code iamTokenExpiration} property).
 *
 * @since 0.1.0
 */
public final class AwsJdbcWrapperCredentials {
    private AwsJdbcWrapperCredentials() {}

    /**
     * Every AWS plugin of the wrapper uses {@code provider} from now on, for every host.
     *
     * @param provider the credentials, e.g. {@link IrsaCredentialsProvider#create()}
     */
    public static void register(AwsCredentialsProvider provider) {
        Objects.requireNonNull(provider, "provider");
        AwsCredentialsManager.setCustomHandler((hostSpec, properties) -> provider);
    }

    /** Back to the wrapper's own choice (its {@code awsProfile} property or the SDK's default chain). */
    public static void unregister() {
        AwsCredentialsManager.resetCustomHandler();
    }
}
