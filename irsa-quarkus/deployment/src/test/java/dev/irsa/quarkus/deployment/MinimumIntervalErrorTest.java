package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A minimum refresh interval past 5 minutes fails the start, naming the property. */
class MinimumIntervalErrorTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class)))
            .overrideConfigKey("quarkus.irsa.refresh.minimum-interval", "10M")
            .assertException(e -> {
                Throwable cause = e;
                while (!cause.getClass().getName().equals(ConfigurationException.class.getName())
                        && cause.getCause() != null) {
                    cause = cause.getCause();
                }
                assertThat(cause.getClass().getName()).isEqualTo(ConfigurationException.class.getName());
                assertThat(cause.getMessage()).contains("quarkus.irsa.refresh.minimum-interval must be between 0"
                        + " (off) and 5M").contains("PT10M");
            });

    @Test
    void startFails() {
        throw new AssertionError("the application must not start");
    }
}
