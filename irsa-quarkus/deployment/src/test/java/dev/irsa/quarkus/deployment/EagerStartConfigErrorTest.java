package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With {@code quarkus.irsa.eager-start=true}, a value the library cannot use still fails the start as the setting to
 * fix, not as "no credentials at startup" with advice (turn eager start off) that would not help.
 */
class EagerStartConfigErrorTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class)))
            .overrideConfigKey("quarkus.irsa.role-arn", "arn:aws:iam::1111:role/app-role")
            .overrideConfigKey("quarkus.irsa.eager-start", "true")
            .assertException(e -> {
                Throwable cause = e;
                while (!cause.getClass().getName().equals(ConfigurationException.class.getName())
                        && cause.getCause() != null) {
                    cause = cause.getCause();
                }
                assertThat(cause.getClass().getName()).as("a ConfigurationException in " + e)
                        .isEqualTo(ConfigurationException.class.getName());
                assertThat(cause.getMessage()).startsWith("Invalid IRSA configuration (quarkus.irsa.* or the pod's AWS_* variables): ")
                        .contains("Malformed IAM role ARN 'arn:aws:iam::1111:role/app-role'")
                        .doesNotContain("eager-start").doesNotContain("IRSA is not configured");
            });

    @Test
    void startFails() {
        throw new AssertionError("the application must not start");
    }
}
