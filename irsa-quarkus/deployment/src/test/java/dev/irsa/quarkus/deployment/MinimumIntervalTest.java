package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.RefreshPolicy;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code quarkus.irsa.refresh.minimum-interval}, the Spring starter's {@code irsa.refresh.minimum-interval} (which the
 * clock-skew warning tells users to set): it reaches the session's refresh policy.
 */
class MinimumIntervalTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class)))
            .overrideConfigKey("quarkus.irsa.refresh.minimum-interval", "0S");

    @Inject
    IrsaCredentialsProvider irsa;

    @Test
    void theSettingReachesTheRefreshPolicy() {
        assertThat(irsa.refreshPolicy()).map(RefreshPolicy::minimumRefreshInterval).contains(Duration.ZERO);
    }
}
