package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A reactive data source with {@code credentials-provider=irsa-rds} under {@code quarkus.irsa.active=false}: Quarkus
 * asks for credentials once when it creates the pool, at startup, and waits for the answer, so the start fails, with
 * a message naming the property (Agroal asks only per connection). What docs/quarkus.md tells such an environment.
 */
class ReactiveInactiveTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class)))
            .overrideRuntimeConfigKey("quarkus.irsa.active", "false")
            .overrideConfigKey("quarkus.datasource.db-kind", "postgresql")
            .overrideConfigKey("quarkus.datasource.jdbc", "false")
            // never connected to: the pool is created, not used
            .overrideConfigKey("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:1/orders")
            .overrideConfigKey("quarkus.datasource.credentials-provider", "irsa-rds")
            .overrideConfigKey("quarkus.datasource.credentials-provider-name", "irsa-rds")
            .overrideConfigKey("quarkus.irsa.rds.host", Fixture.RDS_HOST)
            .overrideConfigKey("quarkus.irsa.rds.user", "app_user")
            .assertException(e -> {
                Throwable cause = e;
                while (cause.getCause() != null && !String.valueOf(cause.getMessage()).contains("irsa-rds")) {
                    cause = cause.getCause();
                }
                assertThat(cause.getMessage()).contains("The irsa-rds credentials provider cannot sign tokens")
                        .contains("quarkus.irsa.active=false");
            });

    @Test
    void startFails() {
        throw new AssertionError("the application must not start");
    }
}
