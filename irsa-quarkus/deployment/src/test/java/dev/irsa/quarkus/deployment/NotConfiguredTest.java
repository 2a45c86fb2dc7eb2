package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.json.JsonObject;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Neither IRSA nor Pod Identity configured (a developer's machine): the application starts, and the bean says what
 * is missing when asked for credentials, and the readiness check is DOWN with that reason. Whatever the machine running
 * the test has: its variables are hidden ({@link BlankPodVariables}).
 */
class NotConfiguredTest {
    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            // hides the machine's own IRSA / Pod Identity variables: a CI runner pod has its own
            .withApplicationRoot(jar -> jar.addClass(BlankPodVariables.class)
                    .addAsServiceProvider(ConfigSource.class, BlankPodVariables.class))
            .overrideConfigKey("quarkus.http.test-port", "0"); // never a fixed port on a shared machine

    @Inject
    IrsaCredentialsProvider irsa;

    @Inject
    SmallRyeHealthReporter health;

    @Test
    void readinessIsDownWithTheReason() {
        JsonObject check = health.getReadiness().getPayload().getJsonArray("checks").stream()
                .map(JsonObject.class::cast).filter(c -> c.getString("name").equals("irsa")).findFirst().orElseThrow();
        assertThat(check.getString("status")).isEqualTo("DOWN");
        assertThat(check.getJsonObject("data").getString("error")).contains("AWS_ROLE_ARN");
    }

    @Test
    void startsAndTheBeanNamesWhatIsMissing() {
        assertThat(irsa.source()).isEmpty();
        assertThatThrownBy(irsa::resolveCredentials).isInstanceOf(SdkClientException.class)
                .hasMessageContaining("AWS_ROLE_ARN");
    }
}
