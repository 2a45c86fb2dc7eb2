package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.ChainedRoleConfig;
import dev.irsa.core.PodIdentityConfig;
import dev.irsa.core.SettingsSource;
import dev.irsa.core.TestIsolation;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.PodIdentityEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What providers share (issue 20 review #2 and #7): chained roles used by several providers are one chained session;
 * Pod Identity providers whose settings differ are not merged, and the difference is named.
 */
class SharedSessionKeysTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    @BeforeEach
    @AfterEach
    void isolate() {
        TestIsolation.reset();
    }

    @Test
    void twoChainedProvidersOfTheSameRoleMakeOneBaseAndOneAssumeRoleCall(IrsaEnvironment env) {
        String target = env.sts().createRole("444455556666", "kafka-target", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                 "Principal":{"AWS":"%s"},"Action":"sts:AssumeRole"}]}""".formatted(env.roleArn()), Duration.ofHours(1));
        ChainedRoleConfig role = ChainedRoleConfig.builder(target).roleSessionName("kafka-fixed").build();
        IrsaCredentialsProvider.Builder b = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("chain-shared");
        // as two Kafka clients with the same JAAS options do: a base provider each, the role assumed from it
        try (IrsaCredentialsProvider baseA = b.build(); IrsaCredentialsProvider baseB = b.build();
             IrsaCredentialsProvider a = baseA.assumeRole(role); IrsaCredentialsProvider c = baseB.assumeRole(
                     ChainedRoleConfig.builder(target).roleSessionName("kafka-fixed").build())) {
            assertThat(a.resolveCredentials().accessKeyId()).isEqualTo(c.resolveCredentials().accessKeyId());
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).as("base").isEqualTo(1);
            assertThat(env.sts().calls().count("AssumeRole")).as("chained").isEqualTo(1);
        }
    }

    @Test
    void podIdentityProvidersWithDifferentSettingsAreNotMergedAndTheDifferenceIsNamed() {
        try (PodIdentityEnvironment env = PodIdentityEnvironment.start()) {
            IrsaCredentialsProvider.Builder b = IrsaCredentialsProvider.builder()
                    .settings(SettingsSource.ofEnvironment(env.podEnvironment()));
            try (IrsaCredentialsProvider plain = b.build(); IrsaCredentialsProvider same = b.build();
                 IrsaCredentialsProvider slower = IrsaCredentialsProvider.builder()
                         .settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                         .attemptTimeout(Duration.ofSeconds(30)).build()) {
                plain.resolveCredentials();
                same.resolveCredentials();
                assertThat(env.agent().calls()).as("built alike: one session").hasSize(1);
                slower.resolveCredentials();
                assertThat(env.agent().calls()).as("another attempt timeout: another session").hasSize(2);

                PodIdentityConfig mine = plain.podIdentityConfig().orElseThrow();
                assertThat(mine.sessionDifferences(same.podIdentityConfig().orElseThrow(), "a", "b")).isEmpty();
                assertThat(mine.sessionDifferences(slower.podIdentityConfig().orElseThrow(), "application", "client"))
                        .containsExactly("irsa.attempt-timeout (application: 'PT10S', client: 'PT30S')");
                PodIdentityConfig literal = PodIdentityConfig.builder().settings(SettingsSource.ofEnvironment(
                        env.podEnvironment())).authorizationToken("not-shown-token").build();
                assertThat(String.join("; ", mine.sessionDifferences(literal, "application", "client")))
                        .contains("authorization token (AWS_CONTAINER_AUTHORIZATION_TOKEN) (application: unset,"
                                + " client: set)").doesNotContain("not-shown-token");
            }
        }
    }
}
