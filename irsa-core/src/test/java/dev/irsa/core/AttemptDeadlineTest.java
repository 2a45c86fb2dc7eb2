package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.irsa.core.internal.ContainerCredentialsExchange;
import dev.irsa.core.internal.CredentialExchange;
import dev.irsa.core.internal.StsWebIdentityExchange;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.PodIdentityEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * A middlebox that passes the answer on a byte at a time never trips the per-read timeout; only a deadline over the
 * whole attempt ends it. Real loopback HTTP and real time (a socket behaviour), kept short: a 300 ms read timeout,
 * a 20 ms drip (an answer of a kilobyte or more would take over 20 s), an 800 ms deadline. Answers stuck in one read
 * ({@link StuckServer}) are cut too.
 */
class AttemptDeadlineTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private static final Duration DRIP = Duration.ofMillis(20);
    private static final Duration READ = Duration.ofMillis(300);
    private static final Duration DEADLINE = Duration.ofMillis(800);
    /**
     * The deadline, plus a read timeout (the last read may be in flight), plus generous slack for a loaded 2-core
     * machine; the drip-fed answer would take over 20 s, so this still proves the attempt was cut.
     */
    private static final Duration BOUND = Duration.ofMillis(4000);
    private static final Duration STUCK_DEADLINE = Duration.ofMillis(300);
    private static final Duration STUCK_READ = Duration.ofSeconds(30);

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T opened(T x) {
        open.add(x);
        return x;
    }

    private static IrsaException failure(CredentialExchange x) {
        return failure(x, BOUND);
    }

    private static IrsaException failure(CredentialExchange x, Duration bound) {
        return assertTimeoutPreemptively(bound, () -> {
            try {
                x.exchange(1);
            } catch (IrsaException e) {
                return e;
            }
            throw new AssertionError("expected the attempt to be cut at its deadline");
        }, "the attempt outlived its deadline");
    }

    @Test
    void aDripFedStsAnswerIsCutAtTheAttemptDeadline(IrsaEnvironment env) throws Exception {
        IrsaConfig.Builder b = IrsaConfig.builder().roleArn(env.roleArn()).tokenFile(env.tokenFile())
                .region(env.region()).stsEndpoint(env.stsEndpoint()).roleSessionName("drip");
        opened(new StsWebIdentityExchange(b.build())).exchange(1); // warm: class loading is not what is measured
        StsWebIdentityExchange x = opened(new StsWebIdentityExchange(b.timeouts(Duration.ofSeconds(1), READ).attemptTimeout(DEADLINE).build()));

        env.sts().faults().dripFeed(DRIP);
        long t0 = System.nanoTime();
        IrsaException e = failure(x);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(took).isGreaterThanOrEqualTo(DEADLINE.minusMillis(50));
        assertThat(e.kind()).isEqualTo(IrsaException.Kind.RETRYABLE);
        assertThat(e.getMessage()).contains(env.stsEndpoint().toString()).contains("800 ms")
                .contains("attempt deadline").contains("proxy").contains("middlebox")
                .doesNotContain(Files.readString(env.tokenFile()));
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(2);
    }

    @Test
    void aUsersOwnStsClientGetsTheDeadline(IrsaEnvironment env) throws Exception {
        StsClient client = StsClient.builder().region(Region.of(env.region())).endpointOverride(env.stsEndpoint())
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .httpClient(UrlConnectionHttpClient.builder().socketTimeout(READ).build()).build();
        open.add(client);
        IrsaConfig.Builder b = IrsaConfig.builder().roleArn(env.roleArn()).tokenFile(env.tokenFile())
                .region(env.region()).stsEndpoint(env.stsEndpoint()).roleSessionName("drip").stsClient(client);
        opened(new StsWebIdentityExchange(b.build())).exchange(1); // warm
        StsWebIdentityExchange x = opened(new StsWebIdentityExchange(b.attemptTimeout(DEADLINE).build()));

        env.sts().faults().dripFeed(DRIP);
        // The SDK enforces the deadline per attempt (apiCallAttemptTimeout), and the user's client retries the cut
        // attempt under its own retry strategy (the SDK's default is the legacy mode: 4 attempts) before we see the
        // failure: so the call ends after several deadlines, each attempt cut at 800 ms, not after one.
        int attempts = client.serviceClientConfiguration().overrideConfiguration().retryStrategy().orElseThrow()
                .maxAttempts();
        long t0 = System.nanoTime();
        IrsaException e = failure(x, Duration.ofSeconds(10));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(e.kind()).isEqualTo(IrsaException.Kind.RETRYABLE);
        assertThat(e.getMessage()).contains(env.stsEndpoint().toString()).contains("800 ms").contains("attempt deadline");
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).as("the warm call and the SDK's attempts")
                .isEqualTo(1 + attempts);
        // Each attempt ran to its deadline and no further (a read in flight, the SDK's backoff and a slow machine
        // are the slack); an uncut attempt alone would take over 20 s.
        assertThat(took).isGreaterThanOrEqualTo(DEADLINE.minusMillis(50).multipliedBy(attempts))
                .isLessThan(DEADLINE.plus(READ).plusMillis(1000).multipliedBy(attempts));

    }

    @Test
    void theDeadlineIsValidated() {
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofMillis(-1), Duration.ofMinutes(6), null}) {
            assertThatThrownBy(() -> IrsaConfig.builder().attemptTimeout(bad)).as(String.valueOf(bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attemptTimeout");
            assertThatThrownBy(() -> PodIdentityConfig.builder().attemptTimeout(bad)).as(String.valueOf(bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attemptTimeout");
        }
        assertThat(IrsaConfig.builder().roleArn("arn:aws:iam::123456789012:role/r").tokenFile(java.nio.file.Path.of("t"))
                .region("eu-west-1").settings(SettingsSource.ofEnvironment(Map.of())).build().attemptTimeout())
                .isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aDripFedPodIdentityAnswerIsCutAtTheAttemptDeadline() throws Exception {
        try (PodIdentityEnvironment env = PodIdentityEnvironment.builder().start()) {
            PodIdentityConfig.Builder b = PodIdentityConfig.builder().settings(SettingsSource.ofEnvironment(Map.of()))
                    .endpoint(env.agentEndpoint()).tokenFile(env.tokenFile());
            opened(new ContainerCredentialsExchange(b.build())).exchange(1); // warm
            ContainerCredentialsExchange x = opened(new ContainerCredentialsExchange(
                    b.timeouts(Duration.ofSeconds(1), READ).attemptTimeout(DEADLINE).build()));

            env.agent().faults().dripFeed(DRIP);
            long t0 = System.nanoTime();
            IrsaException e = failure(x);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);

            assertThat(took).isGreaterThanOrEqualTo(DEADLINE.minusMillis(50));
            assertThat(e.kind()).isEqualTo(IrsaException.Kind.RETRYABLE);
            assertThat(e.getMessage()).contains(env.agentEndpoint().toString()).contains("800 ms")
                    .contains("attempt deadline").contains("middlebox")
                    .doesNotContain(Files.readString(env.tokenFile()));
            env.agent().faults().clear();
        }
    }

    /**
     * Two answers no abort of a JDK HttpURLConnection gets through ({@link StuckServer}): before the attempt ran on a
     * worker the caller stops waiting for, the first lasted until the 30 s read timeout, the second as long as its
     * trailer lines came. Now the caller has its answer just past the 300 ms deadline.
     */
    @Test
    void aStalledOrTrailerDrippedStsAnswerIsCutAtTheDeadline(IrsaEnvironment env) throws Exception {
        for (StuckServer.Shape shape : StuckServer.Shape.values()) {
            StuckServer server = opened(new StuckServer(shape, "text/xml"));
            StsWebIdentityExchange x = opened(new StsWebIdentityExchange(IrsaConfig.builder().roleArn(env.roleArn())
                    .tokenFile(env.tokenFile()).region(env.region()).stsEndpoint(server.uri("/"))
                    .roleSessionName("stuck").timeouts(Duration.ofSeconds(1), STUCK_READ).attemptTimeout(STUCK_DEADLINE)
                    .build()));
            assertCutJustPastTheDeadline(x, shape, Files.readString(env.tokenFile()));
        }
    }

    @Test
    void aStalledOrTrailerDrippedPodIdentityAnswerIsCutAtTheDeadline(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
        for (StuckServer.Shape shape : StuckServer.Shape.values()) {
            StuckServer server = opened(new StuckServer(shape, "application/json"));
            ContainerCredentialsExchange x = opened(new ContainerCredentialsExchange(PodIdentityConfig.builder()
                    .settings(SettingsSource.ofEnvironment(Map.of())).endpoint(server.uri("/v1/credentials"))
                    .tokenFile(token).timeouts(Duration.ofSeconds(1), STUCK_READ).attemptTimeout(STUCK_DEADLINE).build()));
            assertThat(assertCutJustPastTheDeadline(x, shape, Files.readString(token)).getMessage())
                    .contains("the response began");
        }
    }

    /** A closed exchange says so at once: no call, no retries, not "could not reach" (its session is going away). */
    @Test
    void aClosedExchangeRefusesAtOnceAsClosed(IrsaEnvironment env) throws Exception {
        StsWebIdentityExchange sts = new StsWebIdentityExchange(IrsaConfig.builder().roleArn(env.roleArn())
                .tokenFile(env.tokenFile()).region(env.region()).stsEndpoint(env.stsEndpoint())
                .roleSessionName("closed").build());
        sts.close();
        long before = env.sts().calls().count("AssumeRoleWithWebIdentity");
        long t0 = System.nanoTime();
        IrsaException e = org.junit.jupiter.api.Assertions.assertThrows(IrsaException.class, () -> sts.exchange(3));
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(IrsaException.Kind.CLOSED);
        assertThat(e.getMessage()).contains("closed").doesNotContain("Could not reach");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("no retries").isLessThan(Duration.ofSeconds(1));
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(before);
    }

    private static IrsaException assertCutJustPastTheDeadline(CredentialExchange x, StuckServer.Shape shape,
            String token) {
        long t0 = System.nanoTime();
        IrsaException e = failure(x);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as(shape.name())
                .isGreaterThanOrEqualTo(STUCK_DEADLINE.minusMillis(50));
        assertThat(e.kind()).as(shape.name()).isEqualTo(IrsaException.Kind.RETRYABLE);
        assertThat(e.getMessage()).as(shape.name()).contains("300 ms").contains("attempt deadline")
                .doesNotContain(token);
        return e;
    }
}
