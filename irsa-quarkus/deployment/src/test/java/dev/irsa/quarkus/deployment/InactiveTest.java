package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.credentials.CredentialsProvider;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code quarkus.irsa.active=false} (run time, as {@code quarkus.datasource.active}), IRSA configured all the same:
 * the bean is inactive, no session is made, readiness stays UP, and using the bean (or the {@code irsa-rds}
 * credentials provider, which the application's start does not trip over) names the setting.
 */
class InactiveTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class)))
            .overrideRuntimeConfigKey("quarkus.irsa.active", "false");

    @Inject
    InjectableInstance<IrsaCredentialsProvider> irsa;

    @Inject
    SmallRyeHealthReporter health;

    @Inject
    @Named("irsa-rds")
    CredentialsProvider rds;

    @Test
    void inactiveBeanNoSessionReady() {
        assertThat(irsa.getHandle().getBean().isActive()).isFalse();
        assertThat(SessionRegistry.global().size()).as("sessions open").isZero();
        assertThatThrownBy(() -> irsa.get().resolveCredentials()).hasMessageContaining("quarkus.irsa.active=false");
        JsonObject check = health.getReadiness().getPayload().getJsonArray("checks").stream()
                .map(JsonObject.class::cast).filter(c -> c.getString("name").equals("irsa")).findFirst().orElseThrow();
        assertThat(check.getString("status")).isEqualTo("UP");
        assertThat(check.getJsonObject("data").getBoolean("active")).isFalse();
        assertThatThrownBy(() -> rds.getCredentials("irsa-rds")).hasMessageContaining("quarkus.irsa.active=false");
        assertThatThrownBy(() -> rds.getCredentialsAsync("irsa-rds").await().atMost(Duration.ofSeconds(10)))
                .hasMessageContaining("quarkus.irsa.active=false");
        assertThat(SessionRegistry.global().size()).as("sessions open").isZero();
    }
}
