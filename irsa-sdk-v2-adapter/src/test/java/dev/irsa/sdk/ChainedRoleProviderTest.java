package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.ChainedRoleConfig;
import dev.irsa.core.IrsaConfig;
import dev.irsa.core.IrsaException;
import dev.irsa.core.IrsaSession;
import dev.irsa.core.SettingsSource;
import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/** Chained roles ({@code assumeRole}) with eager start, and taken up again after close(). */
class ChainedRoleProviderTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private static IrsaCredentialsProvider.Builder builder(IrsaEnvironment env) {
        return IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()));
    }

    /** A role in another account whose trust policy lets only {@code principal} assume it. */
    private static String target(IrsaEnvironment env, String name, String principal) {
        return env.sts().createRole("444455556666", name, """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                 "Principal":{"AWS":"%s"},"Action":"sts:AssumeRole"}]}""".formatted(principal), Duration.ofHours(1));
    }

    @Test
    void eagerStartFetchesTheChainedRolesCredentialsAndFailsWithItsError(IrsaEnvironment env) {
        String refusing = target(env, "refusing-target", "arn:aws:iam::999988887777:role/someone-else");
        ChainedRoleConfig chain = ChainedRoleConfig.builder(refusing).build();
        try (IrsaCredentialsProvider base = builder(env).roleSessionName("chain-eager").eagerStart(true).build()) {
            assertThatThrownBy(() -> base.assumeRole(chain)).as("the provider's assumeRole")
                    .isInstanceOf(SdkClientException.class).hasMessageContaining("AccessDenied")
                    .hasMessageContaining(refusing);
        }
        IrsaConfig config = IrsaConfig.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                .roleSessionName("chain-eager-session").eagerStart(true).build();
        try (IrsaSession session = IrsaSession.shared(config)) {
            assertThatThrownBy(() -> session.assumeRole(chain)).as("IrsaSession.assumeRole")
                    .isInstanceOf(IrsaException.class).hasMessageContaining("AccessDenied").hasMessageContaining(refusing);
        }
        assertThat(SessionRegistry.global().size()).as("nothing left open by the failed starts").isZero();

        String allowing = target(env, "allowing-target", env.roleArn());
        try (IrsaCredentialsProvider base = builder(env).roleSessionName("chain-eager").eagerStart(true).build();
             IrsaCredentialsProvider chained = base.assumeRole(ChainedRoleConfig.builder(allowing).build())) {
            assertThat(env.sts().calls().count("AssumeRole", "Success")).as("fetched at assumeRole").isEqualTo(1);
            assertThat(chained.resolveCredentials().accessKeyId()).startsWith("ASIA");
        }
    }

    @Test
    void aChainedProviderTakenUpAgainBuildsNoSdkClientOnTheCallersThread(IrsaEnvironment env) throws Exception {
        String allowing = target(env, "reopened-target", env.roleArn());
        IrsaCredentialsProvider base = builder(env).roleSessionName("chain-reopen").build();
        IrsaCredentialsProvider chained = base.assumeRole(ChainedRoleConfig.builder(allowing).build());
        String key = chained.resolveCredentials().accessKeyId();
        chained.close();
        base.close();

        ClientBuilds.clear();
        String caller = Thread.currentThread().getName();
        assertThat(chained.resolveIdentity(ResolveIdentityRequest.builder().build()).get(10, TimeUnit.SECONDS)
                .accessKeyId()).as("taken up again").isEqualTo(key);
        assertThat(ClientBuilds.threads()).as("threads that built an SDK client while resolveIdentity ran")
                .doesNotContain(caller);
        chained.close();

        // The seam itself sees a client built on this thread.
        try (StsClient sts = StsClient.builder().region(Region.of(env.region())).endpointOverride(env.stsEndpoint())
                .build()) {
            assertThat(ClientBuilds.threads()).contains(caller);
        }
    }
}
