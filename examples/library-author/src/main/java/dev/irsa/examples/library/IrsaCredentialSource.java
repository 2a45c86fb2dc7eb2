package dev.irsa.examples.library;

import dev.irsa.sdk.IrsaCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * The library's {@link ArtifactStore.CredentialSource} backed by IRSA. The provider does the caching and the
 * background refresh, so {@link #current()} is cheap enough to call per request.
 */
public final class IrsaCredentialSource implements ArtifactStore.CredentialSource {
    private final IrsaCredentialsProvider provider;

    public IrsaCredentialSource(IrsaCredentialsProvider provider) {
        this.provider = provider;
    }

    /** From the pod's environment. */
    public static IrsaCredentialSource fromEnvironment() {
        return new IrsaCredentialSource(IrsaCredentialsProvider.create());
    }

    @Override
    public ArtifactStore.Credentials current() {
        AwsCredentials c = provider.resolveCredentials();
        AwsSessionCredentials s = (AwsSessionCredentials) c;
        return new ArtifactStore.Credentials(s.accessKeyId(), s.secretAccessKey(), s.sessionToken(),
                s.expirationTime().orElse(null));
    }

    @Override
    public void close() {
        provider.close();
    }
}
