package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.SettingsSource;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
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

    /**
     * A clock that is a new instance each time yet equal to the last ({@code Clock.system(zone)}, as a library that
     * builds a provider per filesystem or per query passes) is a value, not the application's object: what a closed
     * provider left is still taken up once that provider and its clock instance are collected, without an STS call,
     * and counted on.
     */
    @Test
    void aValueClockOfAClosedProviderStillFindsWhatItLeftOnceCollected(IrsaEnvironment env) {
        WeakReference<IrsaCredentialsProvider> first = useAndCloseWithNewClock(env);
        long calls = env.sts().calls().count("AssumeRoleWithWebIdentity");
        collect(first);
        assertThat(first.get()).as("the closed provider, still reachable: the test would prove nothing").isNull();
        System.gc(); // once more: whatever only the registry held weakly is gone with it

        try (IrsaCredentialsProvider second = providerWithNewClock(env)) {
            assertThat(second.resolveCredentials().accessKeyId()).startsWith("ASIA");
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).as("STS calls after the first provider")
                    .isEqualTo(calls);
            assertThat(second.state().orElseThrow().refreshes()).as("counted on, not from 0").isEqualTo(1);
        }
    }

    private static IrsaCredentialsProvider providerWithNewClock(IrsaEnvironment env) {
        return IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                .roleSessionName("value-clock").clock(Clock.system(ZoneId.of("Europe/Paris"))).build();
    }

    /** Kept apart so that no local of the test method holds the provider or its clock. */
    private static WeakReference<IrsaCredentialsProvider> useAndCloseWithNewClock(IrsaEnvironment env) {
        IrsaCredentialsProvider p = providerWithNewClock(env);
        assertThat(p.resolveCredentials().accessKeyId()).startsWith("ASIA");
        assertThat(p.state().orElseThrow().refreshes()).isEqualTo(1);
        p.close();
        return new WeakReference<>(p);
    }

    /** The one place a wait on the collector is acceptable: a bounded loop, over as soon as the object is gone. */
    private static void collect(WeakReference<?> ref) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ref.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.yield();
        }
    }

    private static StsClient sts(IrsaEnvironment env) {
        return StsClient.builder().endpointOverride(env.stsEndpoint()).region(Region.of(env.region()))
                .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(AnonymousCredentialsProvider.create())
                .build();
    }

    private static void assertUnreachableOnceClosed(IrsaEnvironment env, boolean shared) {
        WeakReference<StsClient> client = useAndClose(env, shared);
        collect(client);
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
