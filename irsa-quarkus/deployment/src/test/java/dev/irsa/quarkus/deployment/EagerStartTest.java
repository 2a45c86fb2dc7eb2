package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code quarkus.irsa.eager-start=true}: no credentials at startup fails the start, saying why and what to change. */
class EagerStartTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class)))
            // a role the service account's token may not assume: STS refuses
            .overrideConfigKey("quarkus.irsa.role-arn", "arn:aws:iam::111122223333:role/no-such-role")
            .overrideConfigKey("quarkus.irsa.eager-start", "true")
            .assertException(e -> {
                Throwable root = e;
                while (!(root instanceof IllegalStateException) && root.getCause() != null) {
                    root = root.getCause();
                }
                assertThat(root.getMessage()).startsWith("quarkus.irsa.eager-start=true and no AWS credentials could be"
                        + " had at startup: ").contains("no-such-role").contains("quarkus.irsa.eager-start=false");
            });

    @Test
    void startFails() {
        throw new AssertionError("the application must not start");
    }
}
