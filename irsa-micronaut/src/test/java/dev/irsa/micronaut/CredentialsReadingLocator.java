package dev.irsa.micronaut;

import io.micronaut.context.annotation.BootstrapContextCompatible;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.BootstrapPropertySourceLocator;
import io.micronaut.context.env.Environment;
import io.micronaut.context.env.PropertySource;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;

/**
 * Stands for micronaut-aws's distributed configuration (Parameter Store, Secrets Manager), which reads configuration
 * in the bootstrap context with clients built on the {@link AwsCredentialsProviderChain} bean: this reads the
 * chain's credentials there and hands the access key id over as {@code test.bootstrap.key}. Switched on by
 * {@code test.bootstrap-locator=true}.
 */
@Singleton
@BootstrapContextCompatible
@Requires(property = "test.bootstrap-locator", value = "true")
public class CredentialsReadingLocator implements BootstrapPropertySourceLocator {
    private final AwsCredentialsProviderChain chain;

    /** @param chain the chain micronaut-aws's bootstrap clients (SsmClientFactory...) take */
    public CredentialsReadingLocator(AwsCredentialsProviderChain chain) {
        this.chain = chain;
    }

    @Override
    public Iterable<PropertySource> findPropertySources(Environment environment) {
        return List.of(PropertySource.of("test-bootstrap", Map.of("test.bootstrap.key",
                chain.resolveCredentials().accessKeyId(), "test.bootstrap.chain", chain.toString())));
    }
}
