package dev.irsa.core;

import dev.irsa.testkit.IrsaEnvironment;
import org.junit.jupiter.api.AfterEach;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/** The same faults, with the user's own SDK {@code StsClient} making the web-identity call. */
class NonStsAnswerThroughAnSdkClientTest extends NonStsAnswerTest {
    private StsClient client;

    @Override
    IrsaConfig config() {
        if (client == null) {
            client = StsClient.builder().region(Region.of(irsa.region())).endpointOverride(irsa.stsEndpoint())
                    .credentialsProvider(AnonymousCredentialsProvider.create()).httpClient(UrlConnectionHttpClient.create())
                    .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none())).build();
        }
        return super.config().toBuilder().stsClient(client).build();
    }

    @Override
    boolean viaSdkClient() {
        return true;
    }

    /** A user's own client reads whole bodies as the SDK does: bounding it is not ours to do. */
    @Override
    void aHugeBodyIsReadBoundedAndRefused(IrsaEnvironment env) {
    }

    @AfterEach
    void closeClient() {
        if (client != null) {
            client.close();
        }
    }
}
