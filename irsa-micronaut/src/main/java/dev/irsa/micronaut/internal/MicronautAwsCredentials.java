package dev.irsa.micronaut.internal;

import dev.irsa.sdk.IrsaCredentialsProvider;
import io.micronaut.aws.sdk.v2.CredentialsAndRegionFactory;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.BootstrapContextCompatible;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;

/**
 * micronaut-aws's SDK client factories ({@code S3ClientFactory}, {@code SqsClientFactory}, ...) take an
 * {@link AwsCredentialsProviderChain} bean, which its {@link CredentialsAndRegionFactory} makes from Micronaut
 * properties and the SDK's default chain. When IRSA or Pod Identity is configured this replaces that bean with a chain
 * of one: the IRSA provider, so every client micronaut-aws builds signs with the shared session's credentials. Typed
 * as the chain only, so that injecting {@code AwsCredentialsProvider} still gives the IRSA provider itself. The client
 * builders of micronaut-aws's factories then get the provider itself ({@link MicronautAwsClientBuilders}): a chain's
 * {@code resolveIdentity} blocks its caller. The chain stays for whatever else injects it.
 */
@Factory
@BootstrapContextCompatible
@Requires(classes = CredentialsAndRegionFactory.class)
@Requires(property = "irsa.enabled", notEquals = "false")
@Requires(condition = IrsaConfiguredCondition.class)
@Requires(condition = UserCredentialsProviderAbsentCondition.class)
public class MicronautAwsCredentials {
    /** Creates the factory; Micronaut instantiates it. */
    public MicronautAwsCredentials() {
    }

    /**
     * The chain micronaut-aws's client factories use, holding the IRSA provider only. Not closed here: the provider
     * bean is closed with the context.
     *
     * @param provider the IRSA provider bean
     * @return a chain of that provider alone
     */
    @Singleton
    @BootstrapContextCompatible
    @Replaces(bean = AwsCredentialsProviderChain.class, factory = CredentialsAndRegionFactory.class)
    @Bean(typed = AwsCredentialsProviderChain.class)
    public AwsCredentialsProviderChain irsaCredentialsProviderChain(IrsaCredentialsProvider provider) {
        return AwsCredentialsProviderChain.builder().credentialsProviders(provider).reuseLastProviderEnabled(true)
                .build();
    }
}
