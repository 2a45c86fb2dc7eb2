package dev.irsa.micronaut;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.core.annotation.Order;
import jakarta.inject.Singleton;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * An application's own listeners on micronaut-aws's S3 client builder that choose the builder's credentials
 * themselves (as micronaut-aws's guide shows for customizing its clients), switched on by
 * {@code test.builder-listener}: {@code early} (ordered before listeners of the default order), {@code late} (after
 * them); {@code default} (no order) is {@link S3WithOwnCredentials}, the one docs/micronaut.md shows.
 */
final class UserBuilderListeners {
    private UserBuilderListeners() {
    }

    static S3ClientBuilder own(S3ClientBuilder builder) {
        return builder.credentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(UserCredentialsFactory.USER_KEY, "user-secret-not-logged")));
    }

    /** Ordered before listeners of the default order. */
    @Singleton
    @Order(-100)
    @Requires(property = "test.builder-listener", value = "early")
    public static class Early implements BeanCreatedEventListener<S3ClientBuilder> {
        @Override
        public S3ClientBuilder onCreated(BeanCreatedEvent<S3ClientBuilder> event) {
            return own(event.getBean());
        }
    }

    /** Ordered after listeners of the default order. */
    @Singleton
    @Order(100)
    @Requires(property = "test.builder-listener", value = "late")
    public static class Late implements BeanCreatedEventListener<S3ClientBuilder> {
        @Override
        public S3ClientBuilder onCreated(BeanCreatedEvent<S3ClientBuilder> event) {
            return own(event.getBean());
        }
    }
}
