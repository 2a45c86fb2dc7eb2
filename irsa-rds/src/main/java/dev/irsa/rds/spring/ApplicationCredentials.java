package dev.irsa.rds.spring;

import dev.irsa.rds.internal.DeferredCredentials;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.sdk.internal.ProviderChoice;
import java.util.List;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * The application's credentials provider for RDS tokens, by the rule every integration follows
 * ({@link ProviderChoice}: the single or {@code @Primary} {@link IrsaCredentialsProvider} bean, else the single or
 * {@code @Primary} {@link AwsCredentialsProvider} bean, else one of its own with one WARN). Chosen once, when the first
 * token is signed, not at start-up: a {@code @Lazy} provider bean is created only when it is needed.
 */
final class ApplicationCredentials {
    private ApplicationCredentials() {
    }

    static DeferredCredentials deferred(ListableBeanFactory beanFactory) {
        return new DeferredCredentials(() -> {
            ProviderChoice.Choice<AwsCredentialsProvider> choice = ProviderChoice.choose("RDS IAM authentication",
                    beanFactory.getBeanProvider(IrsaCredentialsProvider.class).getIfUnique(),
                    beanFactory.getBeanProvider(AwsCredentialsProvider.class).getIfUnique(),
                    List.of(beanFactory.getBeanNamesForType(AwsCredentialsProvider.class, true, false)));
            if (choice.provider() != null) {
                return new DeferredCredentials.Chosen(choice.provider(), false);
            }
            LoggerFactory.getLogger(IrsaRdsAutoConfiguration.class).warn(choice.warning());
            return new DeferredCredentials.Chosen(IrsaCredentialsProvider.create(), true);
        });
    }
}
