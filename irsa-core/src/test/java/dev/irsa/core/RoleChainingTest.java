package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Chained sessions on the real shared scheduler (four refresh threads) against the emulator. */
class RoleChainingTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private static String targetRole(IrsaEnvironment env, String name) {
        return env.sts().createRole("444455556666", name, """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                 "Principal":{"AWS":"%s"},"Action":"sts:AssumeRole"}]}""".formatted(env.roleArn()), Duration.ofHours(1));
    }

    @Test
    void moreChainedSessionsThanRefreshThreadsNeverStarveTheirSource(IrsaEnvironment env) {
        env.sts().faults().latency(Duration.ofMillis(300));
        IrsaConfig config = IrsaConfig.builder().roleArn(env.roleArn()).tokenFile(env.tokenFile()).region(env.region())
                .stsEndpoint(env.stsEndpoint()).roleSessionName("chain-source").build();
        List<IrsaSession> chained = new ArrayList<>();
        try (IrsaSession source = IrsaSession.create(config)) {
            for (int i = 0; i < 6; i++) {
                chained.add(source.assumeRole(ChainedRoleConfig.builder(targetRole(env, "target-" + i)).build()));
            }
            // All first used together, before the source has credentials: six chained refreshes, four threads.
            List<CompletableFuture<IrsaCredentials>> first = chained.stream().map(IrsaSession::credentialsAsync).toList();
            for (CompletableFuture<IrsaCredentials> f : first) {
                // one source refresh and six AssumeRole calls of 300 ms each on four threads take about a second;
                // starved, the chained refreshes fail after the source's 10 s wait timeout instead
                assertThat(f).succeedsWithin(Duration.ofSeconds(30));
            }
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
            assertThat(env.sts().calls().count("AssumeRole", "Success")).isEqualTo(6);
        } finally {
            chained.forEach(IrsaSession::close);
            env.sts().faults().clear();
        }
    }

    /**
     * {@code stsRegion} sends AssumeRole to that region's STS, signed for it (as aws-msk-iam-auth's
     * {@code awsStsRegion} does): the emulator verifies us-west-2, the source session is configured for eu-west-1.
     * A loopback endpoint (this emulator) stays the endpoint; a real one becomes the region's regional endpoint.
     */
    @Test
    void aChainedRoleWithItsOwnStsRegionIsAssumedThere(IrsaEnvironment env) {
        IrsaConfig elsewhere = IrsaConfig.builder().roleArn(env.roleArn()).tokenFile(env.tokenFile()).region("eu-west-1")
                .stsEndpoint(env.stsEndpoint()).roleSessionName("chain-region").build();
        String target = targetRole(env, "regional-target");
        try (IrsaSession source = IrsaSession.create(elsewhere);
             IrsaSession sourceRegion = source.assumeRole(ChainedRoleConfig.builder(target).build());
             IrsaSession ownRegion = source.assumeRole(ChainedRoleConfig.builder(target).stsRegion(env.region()).build())) {
            assertThat(ownRegion.credentials().assumedRoleArn())
                    .isEqualTo("arn:aws:sts::444455556666:assumed-role/regional-target/chain-region");
            assertThat(ownRegion.state().stsEndpoint()).isEqualTo(env.stsEndpoint());
            assertThatThrownBy(sourceRegion::credentials).hasMessageContaining("SignatureDoesNotMatch");
        }
        IrsaConfig real = IrsaConfig.builder().roleArn(env.roleArn()).tokenFile(env.tokenFile()).region("us-west-2")
                .build();
        try (IrsaSession source = IrsaSession.create(real);
             IrsaSession chained = source.assumeRole(ChainedRoleConfig.builder(target).stsRegion("eu-central-1").build())) {
            assertThat(chained.state().stsEndpoint()).hasToString("https://sts.eu-central-1.amazonaws.com");
        }
        assertThatThrownBy(() -> ChainedRoleConfig.builder(target).stsRegion("cn-north-1").build())
                .isInstanceOf(IrsaConfigurationException.class).hasMessageContaining("partition");
        assertThatThrownBy(() -> ChainedRoleConfig.builder(target).stsRegion("aws-global").build())
                .isInstanceOf(IrsaConfigurationException.class).hasMessageContaining("not an AWS region");
    }
}
