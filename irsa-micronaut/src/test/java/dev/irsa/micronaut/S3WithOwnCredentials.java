package dev.irsa.micronaut;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * An application's own listener on micronaut-aws's S3 client builder, with no order (Micronaut's default), that
 * chooses the S3 client's credentials itself; switched on by {@code test.builder-listener=default}. Shown in
 * docs/micronaut.md.
 */
@Requires(property = "test.builder-listener", value = "default") // only in the test that tries it
// tag::micronaut-builder-listener[]
@Singleton
public class S3WithOwnCredentials implements BeanCreatedEventListener<S3ClientBuilder> {
    @Override
    public S3ClientBuilder onCreated(BeanCreatedEvent<S3ClientBuilder> event) {
        // Runs after IRSA's listener, so this S3 client signs with these credentials, not the IRSA session's
        return event.getBean().credentialsProvider(ownCredentials());
    }

    private static AwsCredentialsProvider ownCredentials() {
        // Whatever this one client must use; a fixed key here, so the test can tell who signed
        return StaticCredentialsProvider.create(
                AwsBasicCredentials.create(UserCredentialsFactory.USER_KEY, "user-secret-not-logged"));
    }
}
// end::micronaut-builder-listener[]
