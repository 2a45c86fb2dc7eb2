package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.JsonObject;
import io.quarkus.test.QuarkusUnitTest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * With SmallRye Health and Micrometer in the application: the {@code irsa} readiness check (UP with valid
 * credentials, never in liveness) and the starter's meters, names and tags alike.
 */
class HealthAndMetricsTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class, Registry.class)));

    /** A registry the meters can be read from (Quarkus adds every MeterRegistry bean to its composite). */
    static class Registry {
        @Produces
        @Singleton
        SimpleMeterRegistry simple() {
            return new SimpleMeterRegistry();
        }
    }

    @Inject
    SmallRyeHealthReporter health;

    @Inject
    SimpleMeterRegistry registry;

    @Inject
    AwsCredentialsProvider irsa;

    @Test
    void readinessIsUpWithValidCredentialsAndNeverInLiveness() throws Exception {
        irsa.resolveCredentials();
        JsonObject ready = health.getReadiness().getPayload();
        JsonObject check = ready.getJsonArray("checks").stream().map(JsonObject.class::cast)
                .filter(c -> c.getString("name").equals("irsa")).findFirst().orElseThrow();
        assertThat(check.getString("status")).isEqualTo("UP");
        assertThat(check.getJsonObject("data").getString("roleArn")).isEqualTo(Fixture.config().get("quarkus.irsa.role-arn"));
        assertThat(check.toString()).doesNotContain(irsa.resolveCredentials().secretAccessKey());
        assertThat(health.getLiveness().getPayload().toString()).doesNotContain("irsa");
    }

    @Test
    void metersHaveTheStartersNamesAndTags() {
        irsa.resolveCredentials();
        MeterRegistry r = registry;
        assertThat(r.get("irsa.credentials.expiry").tag("source", "web-identity").gauge().value())
                .isBetween(1.0, (double) Duration.ofHours(1).toSeconds());
        assertThat(r.get("irsa.credentials.refreshes").tags("outcome", "success", "source", "web-identity")
                .functionCounter().count()).isGreaterThanOrEqualTo(1.0);
        assertThat(r.get("irsa.credentials.refresh").tags("outcome", "success", "trigger", "initial",
                "source", "web-identity").functionTimer().count()).isEqualTo(1.0);
        assertThat(r.get("irsa.credentials.refresh").tags("outcome", "success", "trigger", "initial")
                .functionTimer().totalTime(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(r.get("irsa.credentials.refresh.failures").tags("kind", "token", "source", "web-identity")
                .functionCounter().count()).isZero();
    }
}
