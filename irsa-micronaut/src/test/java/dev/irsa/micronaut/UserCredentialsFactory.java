package dev.irsa.micronaut;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Primary;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * An application's own {@link AwsCredentialsProvider} bean, switched on by {@code test.user-credentials}
 * ({@code primary}: marked {@code @Primary}; {@code plain}: not).
 */
@Factory
@Requires(property = "test.user-credentials")
public class UserCredentialsFactory {
    /** The access key id of the application's own credentials. */
    static final String USER_KEY = "AKIAUSEROWNKEY000001";

    /** @return the application's provider, marked primary */
    @Singleton
    @Primary
    @Requires(property = "test.user-credentials", value = "primary")
    public AwsCredentialsProvider primaryUserCredentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(USER_KEY, "user-secret-not-logged"));
    }

    /** @return the application's provider, not marked primary */
    @Singleton
    @Requires(property = "test.user-credentials", value = "plain")
    public AwsCredentialsProvider userCredentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(USER_KEY, "user-secret-not-logged"));
    }
}
