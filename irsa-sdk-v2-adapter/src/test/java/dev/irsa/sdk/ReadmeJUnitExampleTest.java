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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The test kit's JUnit example in docs/testing.md, compiled and run as it is printed there (the page's block is
 * checked against the tagged part by {@link DocsSnippetsTest}), among other tests of the same class that fetch the same
 * credentials first: each test counts only its own STS (or agent) calls, whatever ran before it. Run in both orders.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadmeJUnitExampleTest {
    // tag::junit[]
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.with(b -> b.serviceAccount("shop", "cart"));

    @Test
    void survivesThrottling(IrsaEnvironment env) {
        env.sts().faults().failNext(2, Fault.THROTTLING);
        try (IrsaCredentialsProvider provider = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())) // the variables EKS would inject
                .build()) {
            assertThat(provider.resolveCredentials().accessKeyId()).startsWith("ASIA");
        }
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity", "Success")).isEqualTo(1);
    }

    @RegisterExtension
    static final PodIdentityEmulatorExtension podIdentity = PodIdentityEmulatorExtension.create();

    @Test
    void survivesAnAgentOutage(PodIdentityEnvironment env) {
        env.agent().faults().failNext(2, PodIdentityFault.SERVICE_UNAVAILABLE);
        try (IrsaCredentialsProvider provider = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                .build()) {
            assertThat(provider.resolveCredentials().accessKeyId()).startsWith("ASIA");
        }
        assertThat(env.agent().count("Success")).isEqualTo(1);
    }
    // end::junit[]

    /** Left open by a test on purpose, as a careless test would (closed after all tests of the class). */
    private static IrsaCredentialsProvider leftOpen;
    private static IrsaCredentialsProvider leftOpenPodIdentity;

    @AfterAll
    static void closeWhatWasLeftOpen() {
        if (leftOpen != null) {
            leftOpen.close();
            leftOpen = null;
        }
        if (leftOpenPodIdentity != null) {
            leftOpenPodIdentity.close();
            leftOpenPodIdentity = null;
        }
    }

    /**
     * Another test of the class with the same configuration: it, too, makes exactly one STS call; it closes one
     * provider (whose session keeps its credentials) and leaves another open (a shared session still running).
     */
    @Test
    @Order(1)
    void anotherTestFetchesTheSameCredentials(IrsaEnvironment env) {
        try (IrsaCredentialsProvider provider = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).build()) {
            assertThat(provider.resolveCredentials().accessKeyId()).startsWith("ASIA");
        }
        closeWhatWasLeftOpen();
        leftOpen = IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment())).build();
        assertThat(leftOpen.resolveCredentials().accessKeyId()).startsWith("ASIA");
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity", "Success")).isEqualTo(1);
    }

    /**
     * With STS down from the start, the first use fails: credentials an earlier test fetched (kept by its closed
     * session, or in a session it left open) must not answer instead, or an outage test passes by accident.
     */
    @Test
    @Order(2)
    void anOutageFromTheStartIsSeenNotHiddenByAnEarlierTestsCredentials(IrsaEnvironment env) {
        env.sts().faults().failAlways(Fault.CONNECTION_RESET);
        try (IrsaCredentialsProvider provider = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).build()) {
            assertThatThrownBy(provider::resolveCredentials).isInstanceOf(SdkClientException.class)
                    .hasMessageContaining("STS");
        } finally {
            env.sts().faults().clear();
        }
    }

    /** The same with Pod Identity: one agent call, a provider left open (a shared session still running). */
    @Test
    @Order(1)
    void anotherTestFetchesTheSamePodIdentityCredentials(PodIdentityEnvironment env) {
        if (leftOpenPodIdentity != null) {
            leftOpenPodIdentity.close();
        }
        leftOpenPodIdentity = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).build();
        assertThat(leftOpenPodIdentity.resolveCredentials().accessKeyId()).startsWith("ASIA");
        assertThat(env.agent().count("Success")).isEqualTo(1);
    }

    /** With the agent down from the start, the first use fails, whatever an earlier test left running. */
    @Test
    @Order(2)
    void anAgentOutageFromTheStartIsSeenNotHiddenByAnEarlierTestsCredentials(PodIdentityEnvironment env) {
        env.agent().faults().failAlways(PodIdentityFault.CONNECTION_RESET);
        try (IrsaCredentialsProvider provider = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).build()) {
            assertThatThrownBy(provider::resolveCredentials).isInstanceOf(SdkClientException.class);
        } finally {
            env.agent().faults().clear();
        }
    }

    /** {@link Order} values from highest to lowest, unordered tests last: see {@link ReadmeJUnitExampleReverseOrderTest}. */
    static final class ReverseOrder implements MethodOrderer {
        @Override
        public void orderMethods(org.junit.jupiter.api.MethodOrdererContext context) {
            context.getMethodDescriptors().sort(java.util.Comparator.comparingInt(
                    (org.junit.jupiter.api.MethodDescriptor d) -> -d.findAnnotation(Order.class).map(Order::value).orElse(0)));
        }
    }
}
