package dev.irsa.sdk;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.RefreshPolicy;
import java.time.Duration;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Code the pages show that needs a real pod (its environment, a region, AWS itself), so it is compiled here, against
 * this module's class path, and checked against the pages by {@link DocsSnippetsTest}, but not run: the same calls
 * run against the emulators in this module's other tests.
 */
final class DocsExamples {
    private DocsExamples() {
    }

    static void sdkClient() {
        // tag::sdk[]
        try (IrsaCredentialsProvider credentials = IrsaCredentialsProvider.create();   // from the pod's environment
             S3Client s3 = S3Client.builder().credentialsProvider(credentials).build()) {
            s3.listBuckets();
        }
        // end::sdk[]
    }

    /** docs/refresh.md: a test whose emulator issues seconds-long credentials turns the refresh floor off. */
    static IrsaCredentialsProvider.Builder withoutRefreshFloor(IrsaConfig.Builder config) {
        // tag::refresh-floor-off[]
        RefreshPolicy noFloor = RefreshPolicy.builder().minimumRefreshInterval(Duration.ZERO).build();
        config.refreshPolicy(noFloor);                                            // IrsaConfig.builder()...
        return IrsaCredentialsProvider.builder().refreshPolicy(noFloor);           // or the SDK adapter's builder
        // end::refresh-floor-off[]
    }
}
