package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A {@code quarkus.irsa.*} value the library cannot use fails the start, with a message that names it. */
class ConfigErrorTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class)))
            .overrideConfigKey("quarkus.irsa.role-arn", "arn:aws:iam::1111:role/app-role")
            .assertException(e -> {
                // ArC wraps it in a CreationException (the bean is created at startup); compared by name: it comes
                // from the application's class loader
                Throwable cause = e;
                while (!cause.getClass().getName().equals(ConfigurationException.class.getName())
                        && cause.getCause() != null) {
                    cause = cause.getCause();
                }
                assertThat(cause.getClass().getName()).isEqualTo(ConfigurationException.class.getName());
                assertThat(cause.getMessage()).startsWith("Invalid IRSA configuration (quarkus.irsa.* or the pod's AWS_* variables): ")
                        .contains("Malformed IAM role ARN 'arn:aws:iam::1111:role/app-role'")
                        .contains("12 digits");
            });

    @Test
    void startFails() {
        throw new AssertionError("the application must not start");
    }
}
