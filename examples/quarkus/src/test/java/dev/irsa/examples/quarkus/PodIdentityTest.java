package dev.irsa.examples.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.PodIdentityEnvironment;
import dev.irsa.testkit.quarkus.InjectEmulator;
import dev.irsa.testkit.quarkus.PodIdentityEmulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The same service in a pod with an EKS Pod Identity association instead of IRSA: nothing in the application
 * changes; {@link PodIdentityEmulatorResource} hands it the Pod Identity agent's variables.
 */
@QuarkusTest
@WithTestResource(PodIdentityEmulatorResource.class)
class PodIdentityTest {
    @InjectEmulator
    PodIdentityEnvironment pod;

    @Inject
    IdentityResource resource;

    @Test
    void callsStsAsTheAssociationsRole() {
        assertThat(resource.identity()).startsWith("arn:aws:sts::111122223333:assumed-role/app-role/");
        assertThat(pod.agent().calls()).isNotEmpty();
    }
}
