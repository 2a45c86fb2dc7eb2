package dev.irsa.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.ChainedRoleConfig;
import dev.irsa.core.IrsaConfig;
import dev.irsa.core.IrsaCredentials;
import dev.irsa.core.IrsaException;
import dev.irsa.core.SettingsSource;
import dev.irsa.testkit.IrsaEnvironment;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Role chaining with only an endpoint configured (no region): the AssumeRole call is signed, and the emulator
 * verifies the SigV4 credential scope's region against its own, so a success proves which region was used.
 */
class EndpointOnlySigningTest {
    private static IrsaConfig endpointOnly(IrsaEnvironment env) {
        return IrsaConfig.builder().settings(SettingsSource.of(Map.of(), Map.of())).roleArn(env.roleArn())
                .tokenFile(env.tokenFile()).stsEndpoint(env.stsEndpoint()).roleSessionName("endpoint-only").build();
    }

    private static String target(IrsaEnvironment env) {
        return env.sts().createRole(env.accountId(), "signed-target", "{\"Version\":\"2012-10-17\",\"Statement\":["
                + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + env.roleArn() + "\"},\"Action\":\"sts:AssumeRole\"}]}",
                Duration.ofHours(1));
    }

    @Test
    void aLoopbackEndpointWithoutRegionSignsForTheDocumentedDefault() {
        try (IrsaEnvironment env = IrsaEnvironment.builder().region(StsEndpoints.LOOPBACK_DEFAULT_REGION).start()) {
            IrsaConfig source = endpointOnly(env);
            assertThat(source.region()).isEmpty();
            try (StsWebIdentityExchange web = new StsWebIdentityExchange(source)) {
                IrsaCredentials c = web.exchange(1).credentials();
                try (StsAssumeRoleExchange chained = new StsAssumeRoleExchange(
                        ChainedRoleConfig.builder(target(env)).build(), source, () -> CompletableFuture.completedFuture(c))) {
                    chained.ready().join();
                    assertThat(chained.exchange(1).credentials().assumedRoleArn()).contains("signed-target");
                }
            }
        }
    }

    @Test
    void theEmulatorRejectsAScopeForAnotherRegionSoTheTestAboveProvesTheRegion() {
        try (IrsaEnvironment env = IrsaEnvironment.builder().region("eu-central-1").start()) {
            IrsaConfig source = endpointOnly(env);
            try (StsWebIdentityExchange web = new StsWebIdentityExchange(source)) {
                IrsaCredentials c = web.exchange(1).credentials();
                try (StsAssumeRoleExchange chained = new StsAssumeRoleExchange(
                        ChainedRoleConfig.builder(target(env)).build(), source, () -> CompletableFuture.completedFuture(c))) {
                    chained.ready().join();
                    assertThatThrownBy(() -> chained.exchange(1)).isInstanceOfSatisfying(IrsaException.class,
                            e -> assertThat(e.stsErrorCode()).contains("SignatureDoesNotMatch"));
                }
            }
            // With the region configured, the same emulator accepts the call.
            IrsaConfig withRegion = source.toBuilder().region("eu-central-1").build();
            try (StsWebIdentityExchange web = new StsWebIdentityExchange(withRegion)) {
                IrsaCredentials c = web.exchange(1).credentials();
                try (StsAssumeRoleExchange chained = new StsAssumeRoleExchange(
                        ChainedRoleConfig.builder(target(env)).build(), withRegion, () -> CompletableFuture.completedFuture(c))) {
                    chained.ready().join();
                    assertThat(chained.exchange(1).credentials()).isNotNull();
                }
            }
        }
    }
}
