package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.SettingsSource;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.lang.ref.WeakReference;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * What a closed provider's application handed it (its own STS client) is not kept reachable by the process-wide
 * session registry: an application or test that builds and closes providers with clients of its own would otherwise
 * leak one client per configuration, up to the registry's bounds.
 */
class ClosedProviderRetentionTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    @Test
    void aClosedSharedProvidersOwnStsClientBecomesUnreachable(IrsaEnvironment env) {
        assertUnreachableOnceClosed(env, true);
    }

    @Test
    void aClosedUnsharedProvidersOwnStsClientBecomesUnreachable(IrsaEnvironment env) {
        assertUnreachableOnceClosed(env, false);
    }

    private static void assertUnreachableOnceClosed(IrsaEnvironment env, boolean shared) {
        WeakReference<StsClient> client = useAndClose(env, shared);
        // The one place a wait on the collector is acceptable: a bounded loop, over as soon as the client is gone
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (client.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.yield();
        }
        assertThat(client.get()).as("the closed provider's STS client, still reachable").isNull();
    }

    /** Kept apart so that no local of the test method holds the client, the provider or its configuration. */
    private static WeakReference<StsClient> useAndClose(IrsaEnvironment env, boolean shared) {
        StsClient sts = StsClient.builder().endpointOverride(env.stsEndpoint()).region(Region.of(env.region()))
                .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(AnonymousCredentialsProvider.create())
                .build();
        IrsaCredentialsProvider p = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("own-sts-client")
                .stsClient(sts).shared(shared).build();
        assertThat(p.resolveCredentials().accessKeyId()).startsWith("ASIA");
        p.close();
        sts.close();
        return new WeakReference<>(sts);
    }
}
