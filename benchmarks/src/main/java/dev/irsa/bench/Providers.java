package dev.irsa.bench;

import dev.irsa.core.RefreshPolicy;
import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.PodIdentityEnvironment;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsWebIdentityTokenFileCredentialsProvider;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/** The contestants, each pointed at its own or a shared test-kit environment. */
final class Providers {
    private Providers() {}

    static IrsaCredentialsProvider irsa(IrsaEnvironment env) {
        return irsa(env, RefreshPolicy.defaults());
    }

    static IrsaCredentialsProvider irsa(IrsaEnvironment env, RefreshPolicy policy) {
        return IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                .roleSessionName("bench-irsa").shared(false).refreshPolicy(policy).build();
    }

    /** Ours, following the automatic choice to EKS Pod Identity from the pod's variables. */
    static IrsaCredentialsProvider podIdentity(PodIdentityEnvironment env, RefreshPolicy policy) {
        return IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                .shared(false).refreshPolicy(policy).build();
    }

    /**
     * The AWS SDK's {@code ContainerCredentialsProvider} pointed at {@code env}'s agent. It reads the URI and token
     * file from the system properties {@code aws.containerCredentialsFullUri} and
     * {@code aws.containerAuthorizationTokenFile} on every refresh, so one JVM can point it at one agent only. Its
     * windows are fixed (prefetch at min(now + 1 h, expiry - 15 min), stale 1 min before expiry).
     */
    static ContainerCredentialsProvider sdkContainer(PodIdentityEnvironment env, boolean asyncRefresh) {
        System.setProperty("aws.containerCredentialsFullUri", env.agentEndpoint().toString());
        System.setProperty("aws.containerAuthorizationTokenFile", env.tokenFile().toString());
        return ContainerCredentialsProvider.builder().asyncCredentialUpdateEnabled(asyncRefresh).build();
    }

    /** Which provider a scenario runs: ours, or the SDK's with async refresh off or on. */
    enum Kind {
        IRSA("irsa-java"), SDK_SYNC("AWS SDK (sync refresh)"), SDK_ASYNC("AWS SDK (async refresh)");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** A provider under test and what to close after it. */
    record Contestant(AwsCredentialsProvider provider, AutoCloseable closer) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            closer.close();
        }
    }

    /** Ours with {@code policy}, or the SDK's with the given prefetch and stale times. */
    static Contestant contestant(Kind kind, IrsaEnvironment env, RefreshPolicy policy, Duration prefetch, Duration stale) {
        if (kind == Kind.IRSA) {
            IrsaCredentialsProvider p = irsa(env, policy);
            return new Contestant(p, p);
        }
        Sdk s = sdk(env, kind == Kind.SDK_ASYNC, prefetch, stale);
        return new Contestant(s.credentials(), s);
    }

    /** The AWS SDK's web-identity provider with its defaults (prefetch 5 min, stale 1 min) unless told otherwise. */
    static Sdk sdk(IrsaEnvironment env, boolean asyncRefresh, Duration prefetch, Duration stale) {
        StsClient client = StsClient.builder().endpointOverride(env.stsEndpoint()).region(Region.of(env.region()))
                .credentialsProvider(AnonymousCredentialsProvider.create()).build();
        StsWebIdentityTokenFileCredentialsProvider.Builder b = StsWebIdentityTokenFileCredentialsProvider.builder()
                .stsClient(client).roleArn(env.roleArn()).webIdentityTokenFile(env.tokenFile())
                .roleSessionName("bench-sdk").asyncCredentialUpdateEnabled(asyncRefresh);
        if (prefetch != null) {
            b.prefetchTime(prefetch);
        }
        if (stale != null) {
            b.staleTime(stale);
        }
        return new Sdk(b.build(), client);
    }

    /** The SDK provider and the client it uses, closed together. */
    record Sdk(StsWebIdentityTokenFileCredentialsProvider provider, StsClient client) implements SdkAutoCloseable {
        AwsCredentialsProvider credentials() {
            return provider;
        }

        @Override
        public void close() {
            provider.close();
            client.close();
        }
    }
}
