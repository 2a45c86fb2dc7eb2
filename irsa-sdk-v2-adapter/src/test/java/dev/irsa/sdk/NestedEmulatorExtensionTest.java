package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.SettingsSource;
import dev.irsa.testkit.Fault;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.PodIdentityEnvironment;
import dev.irsa.testkit.PodIdentityFault;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import dev.irsa.testkit.junit.PodIdentityEmulatorExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The emulator extensions in static fields serve a {@code @Nested} class with the enclosing class's environments, and
 * before its tests, too, reset what irsa-core keeps for the process: a nested test that builds a provider like one an
 * outer test left open starts a session of its own, so an outage from the start is seen, not hidden by the outer
 * test's credentials (on the same emulator, the same configuration would otherwise join that session).
 */
class NestedEmulatorExtensionTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();
    @RegisterExtension
    static final PodIdentityEmulatorExtension podIdentity = PodIdentityEmulatorExtension.create();

    /** Left open by the outer test on purpose (shared sessions still running), closed after the nested tests. */
    private static IrsaCredentialsProvider leftOpen;
    private static IrsaCredentialsProvider leftOpenPodIdentity;
    private static IrsaEnvironment outerIrsa;
    private static PodIdentityEnvironment outerPodIdentity;

    @AfterAll
    static void closeWhatWasLeftOpen() {
        if (leftOpen != null) {
            leftOpen.close();
        }
        if (leftOpenPodIdentity != null) {
            leftOpenPodIdentity.close();
        }
    }

    /** Runs first: JUnit runs a class's test methods before its nested classes. */
    @Test
    void leavesSessionsOpen(IrsaEnvironment env, PodIdentityEnvironment pod) {
        outerIrsa = env;
        outerPodIdentity = pod;
        leftOpen = provider(SettingsSource.ofEnvironment(env.podEnvironment()));
        assertThat(leftOpen.resolveCredentials().accessKeyId()).startsWith("ASIA");
        leftOpenPodIdentity = provider(SettingsSource.ofEnvironment(pod.podEnvironment()));
        assertThat(leftOpenPodIdentity.resolveCredentials().accessKeyId()).startsWith("ASIA");
    }

    private static IrsaCredentialsProvider provider(SettingsSource settings) {
        return IrsaCredentialsProvider.builder().settings(settings).build();
    }

    @Nested
    class AfterTheOuterTest {
        @Test
        void anStsOutageFromTheStartIsSeen(IrsaEnvironment env) {
            assertThat(leftOpen).as("the outer test ran first").isNotNull();
            assertThat(env).isSameAs(outerIrsa).isSameAs(irsa.environment());
            env.sts().faults().failAlways(Fault.CONNECTION_RESET);
            try (IrsaCredentialsProvider provider = provider(SettingsSource.ofEnvironment(env.podEnvironment()))) {
                assertThatThrownBy(provider::resolveCredentials).isInstanceOf(SdkClientException.class)
                        .hasMessageContaining("STS");
            } finally {
                env.sts().faults().clear();
            }
        }

        @Test
        void anAgentOutageFromTheStartIsSeen(PodIdentityEnvironment env) {
            assertThat(leftOpenPodIdentity).as("the outer test ran first").isNotNull();
            assertThat(env).isSameAs(outerPodIdentity).isSameAs(podIdentity.environment());
            env.agent().faults().failAlways(PodIdentityFault.CONNECTION_RESET);
            try (IrsaCredentialsProvider provider = provider(SettingsSource.ofEnvironment(env.podEnvironment()))) {
                assertThatThrownBy(provider::resolveCredentials).isInstanceOf(SdkClientException.class);
            } finally {
                env.agent().faults().clear();
            }
        }
    }
}
