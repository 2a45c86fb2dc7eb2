package dev.irsa.testkit.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An application's own {@code quarkus.irsa.role-arn}, {@code token-file}, {@code sts-endpoint} and {@code region}
 * (say a VPC endpoint in application.properties) win over the pod's {@code AWS_*} variables, so the resources must
 * override them too: otherwise the emulator's token goes to the application's endpoint. An empty value hides the
 * application's value (as for the other mechanism's variables), and the application then reads the emulator's
 * {@code AWS_*} variables.
 */
class ResourcesOverrideApplicationSettingsTest {
    private static final String[] APPLICATION_KEYS = {"quarkus.irsa.role-arn", "quarkus.irsa.token-file",
            "quarkus.irsa.sts-endpoint", "quarkus.irsa.region"};

    @Test
    void theIrsaResourceHidesTheApplicationsIrsaSettings() {
        Map<String, String> config = started(new IrsaEmulatorResource());
        for (String key : APPLICATION_KEYS) {
            assertThat(config).containsEntry(key, "");
        }
        assertThat(config.get("AWS_ENDPOINT_URL_STS")).startsWith("http://127.0.0.1:");
    }

    @Test
    void thePodIdentityResourceHidesTheApplicationsIrsaSettings() {
        // an explicit role ARN and token file would select IRSA (which wins) and send the application's token
        Map<String, String> config = started(new PodIdentityEmulatorResource());
        for (String key : APPLICATION_KEYS) {
            assertThat(config).containsEntry(key, "");
        }
        assertThat(config.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")).startsWith("http://127.0.0.1:");
    }

    private static Map<String, String> started(QuarkusTestResourceLifecycleManager resource) {
        resource.init(Map.of());
        try {
            return resource.start();
        } finally {
            resource.stop();
        }
    }
}
