package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bean whose {@code @PreDestroy} still calls AWS (flushing a buffer to S3, SQS...) at shutdown finds the session
 * open, and the session is released after it: not closed first and then reopened for the dead application.
 */
class ShutdownOrderTest {
    private static final String SEEN = "irsa.quarkus.test.pre-destroy";

    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class, Flusher.class))
            .setAfterAllCustomizer(() -> {
                assertThat(SharedState.get().get(SEEN)).as("what the @PreDestroy saw")
                        .isEqualTo("VALID, issued by STS: true");
                assertThat(Fixture.probedState()).as("after the application stopped").isEqualTo("sessions open: 0");
            }));

    /** Flushes to AWS when destroyed. */
    @Singleton
    static class Flusher {
        @Inject
        IrsaCredentialsProvider irsa;

        @PreDestroy
        void flush() {
            String status = irsa.state().map(s -> s.status().name()).orElse("none");
            String key = irsa.resolveCredentials().accessKeyId();
            SharedState.get().put(SEEN, status + ", issued by STS: "
                    + Fixture.assumedRoleOf(key).startsWith("arn:aws:sts::111122223333:assumed-role/app-role/"));
        }
    }

    @Inject
    Flusher flusher;

    @Test
    void preDestroyStillHasTheSession() {
        Fixture.probeState(() -> "sessions open: " + SessionRegistry.global().size());
        flusher.irsa.resolveCredentials();
    }
}
