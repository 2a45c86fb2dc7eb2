package dev.irsa.sdk;

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
}
