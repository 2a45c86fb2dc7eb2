package dev.irsa.examples.library;

import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * A library's client that calls AWS (here STS, to tell who it acts as), written the way a library should take
 * credentials:
 * <ul>
 *   <li>its user may hand it any {@link AwsCredentialsProvider} (IRSA, static keys, a profile, their Spring bean);</li>
 *   <li>without one it defaults to {@link IrsaCredentialsProvider#withDefaultFallback(SettingsSource)}: IRSA or EKS
 *       Pod Identity in a pod, the SDK's default chain elsewhere (its tests hand the pod's settings in, not through
 *       system properties);</li>
 *   <li>it closes only what it created: an SDK client closes the provider it is built with, so the user's provider
 *       is handed to the SDK behind a wrapper that has no {@code close()};</li>
 *   <li>it never looks inside the credentials (no cast to {@code AwsSessionCredentials}: static keys have no session
 *       token): the SDK signs with whatever the provider returns.</li>
 * </ul>
 */
public final class ArtifactStore implements AutoCloseable {
    private final StsClient sts;
    /** The provider this store created (the default), closed with it; null when the user gave one. */
    private final SdkAutoCloseable created;

    private ArtifactStore(Builder builder) {
        // tag::library-default[]
        AwsCredentialsProvider credentials;
        if (builder.credentials != null) {
            credentials = new Borrowed(builder.credentials);                 // the user's: they close it, not us or the SDK
            created = null;
        } else {
            credentials = IrsaCredentialsProvider.withDefaultFallback(builder.settings); // IRSA in a pod, else the SDK's chain
            created = credentials instanceof SdkAutoCloseable c ? c : null; // ours: closed with the store
        }
        // end::library-default[]
        try {
            StsClientBuilder sts = StsClient.builder().credentialsProvider(credentials);
            if (builder.region != null) {
                sts.region(Region.of(builder.region));
            }
            if (builder.endpoint != null) {
                sts.endpointOverride(builder.endpoint);
            }
            this.sts = sts.build();   // throws off EKS without a region, for one
        } catch (RuntimeException | Error e) {
            if (created != null) {
                created.close();      // no store to close it later: ours, so closed here
            }
            throw e;
        }
    }

    /**
     * A store with the default credentials and the region from the environment ({@code AWS_REGION}).
     *
     * @return a store to close
     */
    public static ArtifactStore create() {
        return builder().build();
    }

    /**
     * A builder for a store.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Who the store acts as, e.g. for an audit log.
     *
     * @return the caller's ARN, as AWS sees it
     */
    public String principal() {
        return sts.getCallerIdentity().arn();
    }

    // tag::library-close[]
    /** Closes the store's SDK client and the provider the store created, never one its user gave it. */
    @Override
    public void close() {
        sts.close();              // closes the provider it was built with: ours, or the Borrowed wrapper (a no-op)
        if (created != null) {
            created.close();      // ours, in case the SDK did not; closing twice is harmless
        }
    }
    // end::library-close[]

    /** Builds an {@link ArtifactStore}. */
    public static final class Builder {
        private AwsCredentialsProvider credentials;
        private String region;
        private URI endpoint;
        private SettingsSource settings = SettingsSource.system();

        private Builder() {
        }

        // tag::library-api[]
        /**
         * The credentials to call AWS with. The caller keeps owning the provider: the store never closes it.
         * Default: {@code IrsaCredentialsProvider.withDefaultFallback()}, which the store creates and closes.
         *
         * @param credentials any provider: IRSA, EKS Pod Identity, static keys, a profile...
         * @return this builder
         */
        public Builder credentialsProvider(AwsCredentialsProvider credentials) {
            this.credentials = credentials;
            return this;
        }
        // end::library-api[]

        /**
         * The region. Default: the SDK's region chain ({@code AWS_REGION}, which EKS sets).
         *
         * @param region a region name such as {@code eu-west-1}
         * @return this builder
         */
        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /**
         * Another endpoint: a VPC endpoint, or a local emulator in tests.
         *
         * @param endpoint the endpoint
         * @return this builder
         */
        public Builder endpointOverride(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        // tag::library-settings[]
        /**
         * Where the default provider reads the pod's settings ({@code AWS_ROLE_ARN}, the token file, the region...).
         * Only for this library's own tests, which hand in the test kit's pod environment instead of setting JVM-wide
         * system properties; not public, so the library's API names no irsa-java type. Ignored when a
         * {@linkplain #credentialsProvider provider} is given. Default: the process's environment and system properties.
         */
        Builder settings(SettingsSource settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }
        // end::library-settings[]

        /**
         * Builds the store.
         *
         * @return a store to close
         */
        public ArtifactStore build() {
            return new ArtifactStore(this);
        }
    }

    // tag::library-borrowed[]
    /**
     * The user's provider as the SDK client sees it: it resolves through the user's provider (sync and async paths
     * alike) but has no {@code close()}, so closing the client leaves the user's provider alone.
     */
    private record Borrowed(AwsCredentialsProvider delegate) implements AwsCredentialsProvider {
        @Override
        public AwsCredentials resolveCredentials() {
            return delegate.resolveCredentials();
        }

        @Override
        public CompletableFuture<AwsCredentialsIdentity> resolveIdentity(ResolveIdentityRequest request) {
            return delegate.resolveIdentity(request);
        }
    }
    // end::library-borrowed[]
}
