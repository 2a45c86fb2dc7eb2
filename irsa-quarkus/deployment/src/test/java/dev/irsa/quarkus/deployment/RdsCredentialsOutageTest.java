package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.credentials.CredentialsProvider;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * During an STS outage (an endpoint that accepts connections and never answers), each of many concurrent
 * {@code getCredentialsAsync} calls (a reactive pool opening connections) fails within
 * {@code quarkus.irsa.refresh.wait-timeout}, not queued behind the others on irsa-rds's two token threads.
 */
class RdsCredentialsOutageTest {
    private static final String STS_PORT = "irsa.quarkus.test.outage.sts-port";
    private static final Duration WAIT = Duration.ofSeconds(2);

    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class)))
            .overrideConfigKey("quarkus.irsa.sts-endpoint", "http://127.0.0.1:" + unansweredPort())
            .overrideConfigKey("quarkus.irsa.refresh.wait-timeout", WAIT.toSeconds() + "S")
            .overrideConfigKey("quarkus.irsa.read-timeout", "5S")
            .overrideConfigKey("quarkus.irsa.attempt-timeout", "5S")
            .overrideConfigKey("quarkus.irsa.rds.host", Fixture.RDS_HOST)
            .overrideConfigKey("quarkus.irsa.rds.user", "app_user");

    @Inject
    @Named("irsa-rds")
    CredentialsProvider rds;

    /**
     * A loopback port whose connections the kernel accepts into the backlog and nobody answers: STS hanging. Once per
     * JVM (the class is loaded by the test's and the application's class loaders), closed when the JVM ends.
     */
    private static int unansweredPort() {
        synchronized (SharedState.get()) {
            return (int) SharedState.get().computeIfAbsent(STS_PORT, k -> {
                try {
                    ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        try {
                            s.close();
                        } catch (IOException ignored) {
                            // the JVM ends anyway
                        }
                    }, "irsa-quarkus-test-unanswered-sts-stop"));
                    return s.getLocalPort();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Test
    void eachConcurrentCallFailsWithinTheWaitTimeout() throws Exception {
        long start = System.nanoTime();
        List<CompletableFuture<Duration>> failedAfter = new ArrayList<>();
        List<String> reasons = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 10; i++) {
            CompletableFuture<Duration> f = new CompletableFuture<>();
            rds.getCredentialsAsync("irsa-rds").subscribe().with(
                    credentials -> f.completeExceptionally(new AssertionError("credentials without STS")),
                    failure -> {
                        reasons.add(String.valueOf(failure.getMessage()));
                        f.complete(Duration.ofNanos(System.nanoTime() - start));
                    });
            failedAfter.add(f);
        }
        for (CompletableFuture<Duration> f : failedAfter) {
            // the wait, plus slack for a loaded machine; queued behind the others on two threads, the last would
            // fail after about 5 waits (10 s), the third pair already after 6 s
            assertThat(f.get(30, TimeUnit.SECONDS)).isLessThan(WAIT.plusSeconds(3));
        }
        // each says which database had no token (the session's own timeout, or the wait given up on here)
        assertThat(reasons).hasSize(10).allSatisfy(r -> assertThat(r).contains("RDS IAM authentication token for")
                .contains(Fixture.RDS_HOST));
    }
}
