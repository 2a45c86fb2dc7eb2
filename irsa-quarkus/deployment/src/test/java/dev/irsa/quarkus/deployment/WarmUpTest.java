package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.SessionState;
import dev.irsa.quarkus.internal.IrsaWarmUp;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The first credentials are asked for at startup, off the startup path: nobody called the bean, yet they are there. */
class WarmUpTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class)));

    @Inject
    IrsaWarmUp warmUp;

    @Inject
    IrsaCredentialsProvider irsa;

    @Test
    void credentialsArriveWithoutACaller() throws Exception {
        assertThat(warmUp.pending()).as("the call made on StartupEvent").isPresent();
        String key = warmUp.pending().get().get(10, TimeUnit.SECONDS).accessKeyId();
        assertThat(irsa.state()).map(SessionState::status).contains(SessionState.Status.VALID);
        assertThat(Fixture.assumedRoleOf(key)).startsWith("arn:aws:sts::111122223333:assumed-role/app-role/");
    }
}
