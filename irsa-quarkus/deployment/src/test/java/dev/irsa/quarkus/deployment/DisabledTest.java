package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.arc.Arc;
import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/** {@code quarkus.irsa.enabled=false} (build time): the extension adds no bean, even with IRSA configured. */
class DisabledTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class)))
            .overrideConfigKey("quarkus.irsa.enabled", "false");

    @Test
    void noBean() {
        assertThat(Arc.container().instance(AwsCredentialsProvider.class).isAvailable()).isFalse();
        assertThat(Arc.container().instance("irsa").isAvailable()).isFalse();
    }
}
