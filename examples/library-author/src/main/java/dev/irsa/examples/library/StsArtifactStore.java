package dev.irsa.examples.library;

import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import java.net.URI;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;

/**
 * The library's implementation: it adapts its own {@link ArtifactStore.CredentialSource} to the SDK internally,
 * reading credentials per request so refreshed ones are picked up.
 */
public final class StsArtifactStore implements ArtifactStore {
    private final CredentialSource credentials;
    private final StsClient sts;

    /**
     * @param region the AWS region the library talks to
     * @param endpointOverride an alternative endpoint (a VPC endpoint, or the local emulator), or null
     */
    public StsArtifactStore(CredentialSource credentials, String region, URI endpointOverride) {
        this.credentials = credentials;
        StsClientBuilder b = StsClient.builder().region(Region.of(region)).credentialsProvider(() -> {
            Credentials c = credentials.current();
            return AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken());
        });
        if (endpointOverride != null) {
            b.endpointOverride(endpointOverride);
        }
        this.sts = b.build();
    }

    @Override
    public String principal() {
        return sts.getCallerIdentity().arn();
    }

    @Override
    public void close() {
        sts.close();
        credentials.close();
    }
}
