package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.SessionState;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code quarkus.irsa.warm-up=false} and no AWS call yet (a pod that calls AWS only on requests): readiness is UP
 * with {@code health=UNKNOWN}, as the Spring starter's, or the pod would never get a request and never become ready.
 */
class ReadinessBeforeFirstCallTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class)))
            .overrideConfigKey("quarkus.irsa.warm-up", "false");

    @Inject
    SmallRyeHealthReporter health;

    @Inject
    IrsaCredentialsProvider irsa;

    @Test
    void readyBeforeTheFirstCall() {
        assertThat(irsa.state()).map(SessionState::status).contains(SessionState.Status.NOT_STARTED);
        JsonObject check = health.getReadiness().getPayload().getJsonArray("checks").stream()
                .map(JsonObject.class::cast).filter(c -> c.getString("name").equals("irsa")).findFirst().orElseThrow();
        assertThat(check.getString("status")).isEqualTo("UP");
        assertThat(check.getJsonObject("data").getString("health")).isEqualTo("UNKNOWN");
        assertThat(irsa.state()).as("the check calls nobody").map(SessionState::status)
                .contains(SessionState.Status.NOT_STARTED);
    }
}
