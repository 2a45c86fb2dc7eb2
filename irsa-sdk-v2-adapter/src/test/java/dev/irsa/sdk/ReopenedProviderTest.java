package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.SessionState;
import dev.irsa.core.SettingsSource;
import dev.irsa.testkit.Fault;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.ManualClock;
import dev.irsa.testkit.PodIdentityEnvironment;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * A provider used again after {@code close()} (the SDK closes providers with their clients) takes its session up
 * again. It may go on from what its closed session left only as that session would have gone on: never inside the
 * mandatory window of the credentials' real lifetime, never after a failed refresh. STS emulator and engine share one
 * manual clock (unique per test, so no registry key is shared with another test), so time can pass while closed.
 */
class ReopenedProviderTest {
    private final ManualClock clock = new ManualClock(Instant.now());
    private IrsaEnvironment env;

    @BeforeEach
    void start() {
        env = IrsaEnvironment.builder().clock(clock).start();
    }

    @AfterEach
    void stop() {
        env.close();
    }

    private IrsaCredentialsProvider provider(boolean shared) {
        return IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                .clock(clock).shared(shared).build();
    }

    private long stsCalls() {
        return env.sts().calls().count("AssumeRoleWithWebIdentity");
    }

    private static AwsCredentialsIdentity sync(IrsaCredentialsProvider p) {
        return p.resolveCredentials();
    }

    private static AwsCredentialsIdentity async(IrsaCredentialsProvider p) {
        try {
            return p.resolveIdentity(ResolveIdentityRequest.builder().build()).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static AwsCredentialsIdentity minValidity(IrsaCredentialsProvider p) {
        return p.resolveCredentials(Duration.ofMinutes(3));
    }

    /** Resolve, close, let {@code closedFor} pass, resolve again: the old credentials must not come back. */
    private void reopenedNearExpiryAsksSts(boolean shared, Duration closedFor,
                                           Function<IrsaCredentialsProvider, AwsCredentialsIdentity> resolve) {
        IrsaCredentialsProvider p = provider(shared);
        try {
            AwsCredentialsIdentity first = resolve.apply(p);
            assertThat(stsCalls()).isEqualTo(1);
            p.close();
            clock.advance(closedFor);

            AwsCredentialsIdentity again = resolve.apply(p);
            assertThat(again.accessKeyId()).as("not the credentials about to expire").isNotEqualTo(first.accessKeyId());
            assertThat(stsCalls()).as("taken up inside the mandatory window: STS is asked").isEqualTo(2);
            assertThat(again.expirationTime().orElseThrow()).isAfter(clock.instant().plus(Duration.ofMinutes(30)));
            assertThat(p.state().orElseThrow().status()).isEqualTo(SessionState.Status.VALID);
        } finally {
            p.close();
        }
    }

    private static final Duration TEN_SECONDS_LEFT = Duration.ofMinutes(59).plusSeconds(50);
    private static final Duration THIRTY_SECONDS_LEFT = Duration.ofMinutes(59).plusSeconds(30);

    @Test
    void anUnsharedProviderReopenedTenSecondsBeforeExpiryAsksSts() {
        reopenedNearExpiryAsksSts(false, TEN_SECONDS_LEFT, ReopenedProviderTest::sync);
    }

    @Test
    void anUnsharedProviderReopenedTenSecondsBeforeExpiryAsksStsAsync() {
        reopenedNearExpiryAsksSts(false, TEN_SECONDS_LEFT, ReopenedProviderTest::async);
    }

    @Test
    void anUnsharedProviderAskedForThreeMinutesTenSecondsBeforeExpiryAsksSts() {
        reopenedNearExpiryAsksSts(false, TEN_SECONDS_LEFT, ReopenedProviderTest::minValidity);
    }

    @Test
    void aSharedProviderReopenedThirtySecondsBeforeExpiryAsksSts() {
        reopenedNearExpiryAsksSts(true, THIRTY_SECONDS_LEFT, ReopenedProviderTest::sync);
    }

    @Test
    void aSharedProviderReopenedThirtySecondsBeforeExpiryAsksStsAsync() {
        reopenedNearExpiryAsksSts(true, THIRTY_SECONDS_LEFT, ReopenedProviderTest::async);
    }

    @Test
    void aSharedProviderAskedForThreeMinutesThirtySecondsBeforeExpiryAsksSts() {
        reopenedNearExpiryAsksSts(true, THIRTY_SECONDS_LEFT, ReopenedProviderTest::minValidity);
    }

    /** Well before the mandatory window, taking the session up again still costs no STS call. */
    @Test
    void anUnsharedProviderReopenedEarlyGoesOnWithoutAnStsCall() {
        IrsaCredentialsProvider p = provider(false);
        try {
            AwsCredentials first = p.resolveCredentials();
            p.close();
            clock.advance(Duration.ofMinutes(10));
            assertThat(async(p).accessKeyId()).isEqualTo(first.accessKeyId());
            assertThat(p.resolveCredentials().accessKeyId()).isEqualTo(first.accessKeyId());
            assertThat(stsCalls()).isEqualTo(1);
        } finally {
            p.close();
        }
    }

    /**
     * The counts a meter reads ({@code irsa.credentials.refreshes} is a FunctionCounter over them) never go back when
     * a provider is taken up again: the new session goes on counting from the closed one's, whether or not it could
     * take up its credentials, and whatever the last refresh did.
     */
    private void countsCarryOverWhenReopened(boolean shared) {
        IrsaCredentialsProvider p = provider(shared);
        try {
            p.resolveCredentials();
            env.sts().faults().failNext(1, Fault.REGION_DISABLED);
            clock.advance(Duration.ofMinutes(50)); // past any refresh point
            p.resolveCredentials(Duration.ofMinutes(20)); // fails once; the cached ones are served
            awaitStatus(p, SessionState.Status.DEGRADED);
            SessionState before = p.state().orElseThrow();
            assertThat(before.refreshes()).isEqualTo(1);
            assertThat(before.failedRefreshes()).isEqualTo(1);
            p.close();
            clock.advance(Duration.ofMinutes(5));

            p.resolveCredentials(); // a new session, which asks STS (nothing resumed from a failing one)
            SessionState after = p.state().orElseThrow();
            assertThat(after.refreshes()).as("the earlier success, then this one").isEqualTo(2);
            assertThat(after.failedRefreshes()).as("carried over, not back to 0").isEqualTo(1);
            p.close();

            clock.advance(Duration.ofMinutes(1));
            p.resolveCredentials(); // taken up again early: resumed, no STS call, still the same counts
            assertThat(p.state().orElseThrow().refreshes()).isEqualTo(2);
            assertThat(p.state().orElseThrow().failedRefreshes()).isEqualTo(1);
        } finally {
            env.sts().faults().clear();
            p.close();
        }
    }

    @Test
    void anUnsharedProviderTakenUpAgainKeepsCounting() {
        countsCarryOverWhenReopened(false);
    }

    @Test
    void aSharedProviderTakenUpAgainKeepsCounting() {
        countsCarryOverWhenReopened(true);
    }

    /**
     * Review 4 F11, unshared: a call whose refresh is on the wire when {@code close()} releases the provider's session
     * is answered by a session opened for that call alone. Its refresh must be counted on by
     * the session the provider is taken up with next, exactly once, as for a shared provider. The race is made
     * deterministic by the application's own STS client, which holds the armed request until the close is done.
     */
    private void countsOfACallAnsweredAcrossACloseAreKept(boolean shared,
                                                          Function<IrsaCredentialsProvider, AwsCredentialsIdentity> resolve)
            throws Exception {
        CountDownLatch onTheWire = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicBoolean armed = new AtomicBoolean();
        ExecutionInterceptor gate = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                if (armed.compareAndSet(true, false)) {
                    onTheWire.countDown();
                    try {
                        closed.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        try (StsClient sts = StsClient.builder().endpointOverride(env.stsEndpoint()).region(Region.of(env.region()))
                .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(AnonymousCredentialsProvider.create())
                .overrideConfiguration(o -> o.addExecutionInterceptor(gate)).build()) {
            IrsaCredentialsProvider p = IrsaCredentialsProvider.builder()
                    .settings(SettingsSource.ofEnvironment(env.podEnvironment())).clock(clock).shared(shared)
                    .stsClient(sts).refreshPolicy(dev.irsa.core.RefreshPolicy.builder().jitter(0)
                            .backgroundRefresh(false).build()).build();
            try {
                resolve.apply(p); // refresh 1
                clock.advance(THIRTY_SECONDS_LEFT); // inside the mandatory window: the next caller waits for STS
                armed.set(true);
                FutureTask<AwsCredentialsIdentity> call = new FutureTask<>(() -> resolve.apply(p));
                Thread caller = new Thread(call, "racing-caller");
                caller.setDaemon(true);
                caller.start();
                assertThat(onTheWire.await(10, TimeUnit.SECONDS)).as("the caller's refresh is on the wire").isTrue();
                p.close(); // another SDK client sharing the provider closes it under the waiting caller
                closed.countDown(); // the released session's answer arrives too late and is dropped
                assertThat(call.get(10, TimeUnit.SECONDS).accessKeyId()).startsWith("ASIA"); // refresh 2, for one call

                clock.advance(THIRTY_SECONDS_LEFT); // nothing to resume: taken up again, the provider asks STS
                resolve.apply(p); // refresh 3
                // (Not callersWaited: whether the racing caller's wait on the released session counts depends on whether
                // it began before the close, which this test does not hold.)
                assertThat(p.state().orElseThrow().refreshes()).as("the first, the one-call session's, this one")
                        .isEqualTo(3);
            } finally {
                p.close();
            }
        }
    }

    @Test
    void anUnsharedProviderKeepsTheCountsOfACallAnsweredAcrossAClose() throws Exception {
        countsOfACallAnsweredAcrossACloseAreKept(false, ReopenedProviderTest::sync);
    }

    @Test
    void anUnsharedProviderKeepsTheCountsOfACallAnsweredAcrossACloseAsync() throws Exception {
        countsOfACallAnsweredAcrossACloseAreKept(false, ReopenedProviderTest::async);
    }

    @Test
    void aSharedProviderKeepsTheCountsOfACallAnsweredAcrossAClose() throws Exception {
        countsOfACallAnsweredAcrossACloseAreKept(true, ReopenedProviderTest::sync);
    }

    /** A session whose last refresh failed (DEGRADED) leaves nothing to go on from: the next one asks STS. */
    private void aDegradedSessionIsNotResumed(boolean shared,
                                              Function<IrsaCredentialsProvider, AwsCredentialsIdentity> resolve) {
        IrsaCredentialsProvider p = provider(shared);
        try {
            AwsCredentialsIdentity first = resolve.apply(p);
            env.sts().faults().failAlways(Fault.REGION_DISABLED); // first: the watchdog may refresh once time moves
            clock.advance(Duration.ofMinutes(50)); // 10 min left: past any refresh point, before the mandatory window
            p.resolveCredentials(Duration.ofMinutes(20)); // a refresh now: it fails, the cached ones are served
            awaitStatus(p, SessionState.Status.DEGRADED);
            p.close();
            env.sts().faults().clear();
            long before = stsCalls();

            AwsCredentialsIdentity again = resolve.apply(p);
            // (at least: a retry of the closed session may still have been on the wire)
            assertThat(stsCalls()).as("nothing resumed from a failing session: STS is asked").isGreaterThan(before);
            assertThat(again.accessKeyId()).isNotEqualTo(first.accessKeyId());
            SessionState state = p.state().orElseThrow();
            assertThat(state.status()).isEqualTo(SessionState.Status.VALID);
            assertThat(state.consecutiveFailures()).isZero();
        } finally {
            env.sts().faults().clear();
            p.close();
        }
    }

    private static void awaitStatus(IrsaCredentialsProvider p, SessionState.Status status) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (p.state().orElseThrow().status() != status && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(p.state().orElseThrow().status()).isEqualTo(status);
    }

    @Test
    void anUnsharedDegradedSessionIsNotResumed() {
        aDegradedSessionIsNotResumed(false, ReopenedProviderTest::sync);
    }

    @Test
    void anUnsharedDegradedSessionIsNotResumedAsync() {
        aDegradedSessionIsNotResumed(false, ReopenedProviderTest::async);
    }

    @Test
    void aSharedDegradedSessionIsNotResumed() {
        aDegradedSessionIsNotResumed(true, ReopenedProviderTest::sync);
    }

    @Test
    void aSharedDegradedSessionIsNotResumedAsync() {
        aDegradedSessionIsNotResumed(true, ReopenedProviderTest::async);
    }

    /**
     * EKS Pod Identity on a node whose clock is 61 min ahead (the agent's credentials look expired on arrival: the
     * minimum refresh interval governs them) and plain SDK code that builds a client per request, which closes the
     * provider with it: taking the session up again within the interval costs no agent call, so the agent is asked
     * once per interval, not once per request.
     */
    private void aProviderClosedAfterEveryRequestOnAClockFarAheadKeepsToTheFloor(boolean shared) {
        try (PodIdentityEnvironment pod = PodIdentityEnvironment.builder()
                .clock(Clock.offset(clock, Duration.ofMinutes(-61))).credentialLifetime(Duration.ofHours(1)).start()) {
            IrsaCredentialsProvider p = IrsaCredentialsProvider.builder()
                    .settings(SettingsSource.ofEnvironment(pod.podEnvironment())).clock(clock).shared(shared).build();
            try {
                for (int request = 0; request < 60; request++) { // one every 5 s for 5 min
                    assertThat(p.resolveCredentials().accessKeyId()).startsWith("ASIA");
                    p.close();
                    clock.advance(Duration.ofSeconds(5));
                }
            } finally {
                p.close();
            }
            assertThat(pod.agent().calls()).as("one agent call per minimum refresh interval").hasSizeBetween(5, 6);
        }
    }

    @Test
    void aSharedProviderClosedAfterEveryRequestOnAClockFarAheadKeepsToTheFloor() {
        aProviderClosedAfterEveryRequestOnAClockFarAheadKeepsToTheFloor(true);
    }

    @Test
    void anUnsharedProviderClosedAfterEveryRequestOnAClockFarAheadKeepsToTheFloor() {
        aProviderClosedAfterEveryRequestOnAClockFarAheadKeepsToTheFloor(false);
    }

    /**
     * A chained provider holds its own base session (with {@code shared(false)}) and the chained one; both go on
     * from what they left. Here the chained credentials (15 min) are inside their mandatory window when taken up
     * again, the base role's (1 h) are not: only AssumeRole is asked, not AssumeRoleWithWebIdentity again.
     */
    @Test
    void aChainedProviderTakenUpAgainGoesOnFromEachOfItsSessions() {
        String target = env.sts().createRole("444455556666", "chained-reopen", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                 "Principal":{"AWS":"%s"},"Action":"sts:AssumeRole"}]}""".formatted(env.roleArn()), Duration.ofHours(1));
        // Without jitter the base role's first refresh is at 45 min, not anywhere from 6 min on: not due at 14 min.
        IrsaCredentialsProvider base = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).clock(clock).shared(false)
                .refreshPolicy(dev.irsa.core.RefreshPolicy.builder().jitter(0).build()).build();
        IrsaCredentialsProvider chained = base.assumeRole(dev.irsa.core.ChainedRoleConfig.builder(target)
                .sessionDuration(Duration.ofMinutes(15)).build());
        try {
            String first = chained.resolveCredentials().accessKeyId();
            assertThat(stsCalls()).isEqualTo(1);
            assertThat(env.sts().calls().count("AssumeRole")).isEqualTo(1);
            chained.close();
            base.close();
            clock.advance(Duration.ofMinutes(14)); // chained: 1 min left (mandatory); base: 46 min left

            assertThat(chained.resolveCredentials().accessKeyId()).as("new chained credentials").isNotEqualTo(first);
            assertThat(env.sts().calls().count("AssumeRole")).as("the chained role is asked again").isEqualTo(2);
            assertThat(stsCalls()).as("the base session went on from its kept credentials").isEqualTo(1);
        } finally {
            chained.close();
            base.close();
        }
    }
}
