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

    /** Held only weakly, what a closed session left is still found while the client lives: resumed, counted on. */
    @Test
    void whileItsClientLivesAClosedProviderIsTakenUpAgainFromWhatItLeft(IrsaEnvironment env) {
        try (StsClient sts = sts(env)) {
            IrsaCredentialsProvider p = IrsaCredentialsProvider.builder()
                    .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("own-sts-client-reused")
                    .stsClient(sts).build();
            String first = p.resolveCredentials().accessKeyId();
            long calls = env.sts().calls().count("AssumeRoleWithWebIdentity");
            p.close();
            System.gc(); // the client is strongly held here: nothing kept for it may go
            assertThat(p.resolveCredentials().accessKeyId()).isEqualTo(first);
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(calls);
            assertThat(p.state().orElseThrow().refreshes()).as("counted on, not from 0").isEqualTo(1);
            p.close();
        }
    }

    private static StsClient sts(IrsaEnvironment env) {
        return StsClient.builder().endpointOverride(env.stsEndpoint()).region(Region.of(env.region()))
                .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(AnonymousCredentialsProvider.create())
                .build();
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
        StsClient sts = sts(env);
        IrsaCredentialsProvider p = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("own-sts-client")
                .stsClient(sts).shared(shared).build();
        assertThat(p.resolveCredentials().accessKeyId()).startsWith("ASIA");
        p.close();
        sts.close();
        return new WeakReference<>(sts);
    }
}
