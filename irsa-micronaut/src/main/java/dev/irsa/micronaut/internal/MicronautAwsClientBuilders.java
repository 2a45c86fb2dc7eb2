package dev.irsa.micronaut.internal;

import dev.irsa.sdk.IrsaCredentialsProvider;
import io.micronaut.aws.sdk.v2.service.AwsClientFactory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.core.annotation.Order;
import io.micronaut.core.order.Ordered;
import jakarta.inject.Singleton;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;

/**
 * Gives the client builders of micronaut-aws's factories ({@code S3ClientFactory.asyncBuilder}, {@code syncBuilder},
 * ... of every {@link AwsClientFactory}) the IRSA provider itself as they are created. Those factories take the
 * {@code AwsCredentialsProviderChain} bean ({@link MicronautAwsCredentials}), and a chain answers the async
 * {@code resolveIdentity} by resolving synchronously on the caller's thread: an async client (S3AsyncClient...)
 * called from a Netty event loop would block that loop until STS answered. The provider's own
 * {@code resolveIdentity} never blocks. Builders the application creates itself are left alone.
 *
 * <p>The AWS SDK (2.31 to 2.57 at least) still waits for the identity future on the caller's thread in its own
 * pipeline ({@code ApplyUserAgentStage}, for the user agent's business metrics), so an async call made while no
 * credentials are cached waits for STS all the same; the warm-up at startup, the readiness indicator and background
 * refresh keep that to the moments without credentials.
 *
 * <p><b>Order.</b> Micronaut runs the listeners of a bean in ascending order ({@code @Order} or {@link Ordered}; 0
 * when neither is given). This one runs first ({@link Ordered#HIGHEST_PRECEDENCE}), so any listener of the
 * application's (or of another library) on the same builders runs after it: a credentials provider set there is an
 * explicit choice and wins, and a listener that sets none leaves the IRSA provider in place.
 */
@Singleton
@Order(Ordered.HIGHEST_PRECEDENCE)
@Requires(classes = AwsClientFactory.class)
@Requires(property = "irsa.enabled", notEquals = "false")
@Requires(condition = IrsaConfiguredCondition.class)
@Requires(condition = UserCredentialsProviderAbsentCondition.class)
public final class MicronautAwsClientBuilders implements BeanCreatedEventListener<AwsClientBuilder<?, ?>> {
    private final IrsaCredentialsProvider provider;

    /**
     * Creates the listener.
     *
     * @param provider the IRSA provider bean
     */
    public MicronautAwsClientBuilders(IrsaCredentialsProvider provider) {
        this.provider = provider;
    }

    @Override
    public AwsClientBuilder<?, ?> onCreated(BeanCreatedEvent<AwsClientBuilder<?, ?>> event) {
        AwsClientBuilder<?, ?> builder = event.getBean();
        boolean micronautAws = event.getBeanDefinition().getDeclaringType()
                .filter(AwsClientFactory.class::isAssignableFrom).isPresent();
        if (micronautAws) {
            builder.credentialsProvider(provider);
        }
        return builder;
    }
}
