package dev.irsa.micronaut;

import dev.irsa.sdk.IrsaCredentialsProvider;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * An application's own {@link AwsCredentialsProvider} beans that state their relation to IRSA with a bean condition,
 * switched on by {@code test.conditional-credentials}: {@code unless-irsa} (a local fallback for when IRSA is absent),
 * {@code unless-any} (a fallback for when no provider at all is defined), {@code with-irsa} (a bean that needs IRSA's,
 * e.g. a wrapper around it),
 * {@code with-irsa-health} (the same, its condition naming another of IRSA's beans).
 */
@Factory
@Requires(property = "test.conditional-credentials")
public class ConditionalUserCredentialsFactory {
    /** The access key id of the application's own credentials. */
    static final String FALLBACK_KEY = "AKIAUSERFALLBACK0001";

    // tag::fallback-provider[]
    /** @return a local fallback: steps aside when IRSA is configured */
    @Singleton
    @Named("local")
    @Requires(property = "test.conditional-credentials", value = "unless-irsa")
    @Requires(missingBeans = IrsaCredentialsProvider.class)
    public AwsCredentialsProvider unlessIrsa() {
        return fallback();
    }
    // end::fallback-provider[]

    /** @return a fallback for when no credentials provider bean is defined at all */
    @Singleton
    @Named("local")
    @Requires(property = "test.conditional-credentials", value = "unless-any")
    @Requires(missingBeans = AwsCredentialsProvider.class)
    public AwsCredentialsProvider unlessAny() {
        return fallback();
    }

    // tag::wrapping-provider[]
    /**
     * @param irsa IRSA's provider
     * @return a provider that needs IRSA's (here: wraps it), created beside it
     */
    @Singleton
    @Named("wrapping")
    @Requires(property = "test.conditional-credentials", value = "with-irsa")
    @Requires(beans = IrsaCredentialsProvider.class)
    public AwsCredentialsProvider withIrsa(IrsaCredentialsProvider irsa) {
        return new Wrapping(irsa);
    }
    // end::wrapping-provider[]

    /**
     * @param irsa IRSA's provider
     * @return a provider whose condition reaches IRSA only through another of IRSA's beans (its health indicator)
     */
    @Singleton
    @Named("wrapping")
    @Requires(property = "test.conditional-credentials", value = "with-irsa-health")
    @Requires(beans = IrsaHealthIndicator.class)
    public AwsCredentialsProvider withIrsaHealth(IrsaCredentialsProvider irsa) {
        return new Wrapping(irsa);
    }

    private static AwsCredentialsProvider fallback() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(FALLBACK_KEY, "fallback-secret-not-logged"));
    }

    /** A provider that delegates to IRSA's; the type says it is the application's. */
    record Wrapping(IrsaCredentialsProvider delegate) implements AwsCredentialsProvider {
        @Override
        public software.amazon.awssdk.auth.credentials.AwsCredentials resolveCredentials() {
            return delegate.resolveCredentials();
        }
    }
}
