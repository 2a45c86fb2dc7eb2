package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;

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
}
