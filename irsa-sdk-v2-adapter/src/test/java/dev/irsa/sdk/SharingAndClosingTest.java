package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.ChainedRoleConfig;
import dev.irsa.core.SettingsSource;
import dev.irsa.testkit.Fault;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsAsyncClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * How providers, SDK clients and sessions own each other, tried with real SDK clients: the SDK closes the provider
 * a client was built with when the client closes, so a provider shared by several clients must outlive that.
 */
class SharingAndClosingTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private static IrsaCredentialsProvider.Builder builder(IrsaEnvironment env) {
        return IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()));
    }

    private static StsClient sts(IrsaEnvironment env, AwsCredentialsProvider p) {
        return StsClient.builder().endpointOverride(env.stsEndpoint()).region(Region.of(env.region()))
                .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(p).build();
    }

    private static StsAsyncClient stsAsync(IrsaEnvironment env, AwsCredentialsProvider p) {
        return StsAsyncClient.builder().endpointOverride(env.stsEndpoint()).region(Region.of(env.region()))
                .credentialsProvider(p).build();
    }

    private static List<Thread> ourThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("irsa-")
                && !t.getName().startsWith("irsa-testkit")).toList();
    }

    private static void awaitNoThreadsOfOurs() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!ourThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void aProviderSharedBySdkClientsSurvivesTheCloseOfAnyOfThem(IrsaEnvironment env) throws Exception {
        IrsaCredentialsProvider p = builder(env).roleSessionName("shared-by-clients").build();
        StsClient sync = sts(env, p);
        StsAsyncClient async = stsAsync(env, p);
        S3Client s3 = S3Client.builder().endpointOverride(env.stsEndpoint()).region(Region.of(env.region()))
                .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(p).build();
        String arn = sync.getCallerIdentity().arn();
        assertThat(async.getCallerIdentity().join().arn()).isEqualTo(arn);

        // Something else holding the session (the Spring starter keeps a hold for the context's life): a provider
        // released by a client reports the live session.
        IrsaCredentialsProvider keeper = p.toBuilder().build();
        s3.close(); // the SDK closes the provider with the client
        assertThat(p.state().orElseThrow().status()).isEqualTo(dev.irsa.core.SessionState.Status.VALID);
        keeper.close();
        assertThat(sync.getCallerIdentity().arn()).as("the other clients go on").isEqualTo(arn);
        assertThat(async.getCallerIdentity().join().arn()).isEqualTo(arn);
        sync.close();
        assertThat(async.getCallerIdentity().join().arn()).isEqualTo(arn);
        assertThat(p.resolveCredentials().accessKeyId()).startsWith("ASIA");
        async.close();

        // Nothing holds the session now: its threads are gone...
        awaitNoThreadsOfOurs();
        assertThat(ourThreads()).isEmpty();
        // ...and a later use takes it up again, with the credentials it still had: no STS call, no wait.
        long stsCalls = env.sts().calls().count("AssumeRoleWithWebIdentity");
        try (StsClient again = sts(env, p)) {
            assertThat(again.getCallerIdentity().arn()).isEqualTo(arn);
        }
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(stsCalls);
        p.close();
        // Released, and nothing else holds the session: state() says so without taking it up again.
        assertThat(p.toString()).contains("released");
        assertThat(p.state().orElseThrow().status()).isEqualTo(dev.irsa.core.SessionState.Status.CLOSED);
        awaitNoThreadsOfOurs();
        assertThat(ourThreads()).isEmpty();
    }

    @Test
    void anAsyncCallerWaitingWhenAnotherClientClosesTheProviderStillGetsCredentials(IrsaEnvironment env) {
        // 2 s: long enough that a loaded machine still closes the provider while the caller waits
        env.sts().faults().latency(Duration.ofSeconds(2));
        try {
            IrsaCredentialsProvider p = builder(env).roleSessionName("closed-under-a-waiter").build();
            CompletableFuture<? extends AwsCredentialsIdentity> waiting = p.resolveIdentity(ResolveIdentityRequest.builder().build());
            assertThat(waiting).isNotDone();
            p.close(); // another client sharing the provider closes while this caller waits for the first credentials
            assertThat(waiting).succeedsWithin(Duration.ofSeconds(10))
                    .satisfies(c -> assertThat(c.accessKeyId()).startsWith("ASIA"));
            p.close();
        } finally {
            env.sts().faults().clear();
        }
    }

    @Test
    void aCallerThatWithdrewBeforeTheCloseStartsNoStsCallOrThreadAfterIt(IrsaEnvironment env) throws Exception {
        // An owner shutting down (the Spring starter's warm-up) cancels its pending call, then closes the provider:
        // nothing may reopen the session for a call nobody waits for any more.
        // 2 s: long enough that a loaded machine still cancels while the call is under way
        Duration latency = Duration.ofSeconds(2);
        env.sts().faults().latency(latency);
        IrsaCredentialsProvider p = builder(env).roleSessionName("withdrawn-before-close").build();
        try {
            CompletableFuture<? extends AwsCredentialsIdentity> warmUp = p.resolveIdentity(ResolveIdentityRequest.builder().build());
            assertThat(warmUp.cancel(false)).as("still waiting for STS").isTrue();
            p.close();
            // The emulator records a call when it answers: wait out the latency of the call under way at the close
            // and of any call started after it.
            long quiet = System.nanoTime() + latency.multipliedBy(3).toNanos();
            while (System.nanoTime() < quiet) {
                assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).as("STS calls besides the one under way")
                        .isLessThanOrEqualTo(1);
                Thread.sleep(20);
            }
            assertThat(dev.irsa.core.internal.SessionRegistry.global().size()).as("sessions open").isZero();
            awaitNoThreadsOfOurs();
            assertThat(ourThreads()).isEmpty();
        } finally {
            p.close();
            env.sts().faults().clear();
        }
    }

    @Test
    void takingASessionUpAgainNeverBlocksEvenWithEagerStart() {
        // Its own emulator on a manual clock, so the closed session's credentials can be taken into their mandatory
        // window: they may not be gone on from, and taking the session up again must ask STS, never waiting for it.
        dev.irsa.testkit.ManualClock clock = new dev.irsa.testkit.ManualClock(java.time.Instant.now());
        try (IrsaEnvironment own = IrsaEnvironment.builder().clock(clock).start()) {
            IrsaCredentialsProvider p = builder(own).roleSessionName("eager-reopen").eagerStart(true).shared(false)
                    .clock(clock).build();
            p.close();
            clock.advance(Duration.ofMinutes(59).plusSeconds(30)); // 30 s left: inside the mandatory window
            // 3 s: resolveIdentity returning before the answer proves it did not wait, even on a loaded machine
            own.sts().faults().latency(Duration.ofSeconds(3));
            try {
                CompletableFuture<? extends AwsCredentialsIdentity> f =
                        p.resolveIdentity(ResolveIdentityRequest.builder().build());
                assertThat(f).as("resolveIdentity returned before STS answered").isNotDone();
                assertThat(f).succeedsWithin(Duration.ofSeconds(10));
                assertThat(own.sts().calls().count("AssumeRoleWithWebIdentity")).as("eager start, then taken up again")
                        .isEqualTo(2);
            } finally {
                own.sts().faults().clear();
                p.close();
            }
        }
    }

    @Test
    void anUnsharedProviderIsReopenedAfterCloseToo(IrsaEnvironment env) {
        IrsaCredentialsProvider p = builder(env).roleSessionName("unshared").shared(false).build();
        String before = p.resolveCredentials().accessKeyId();
        long calls = env.sts().calls().count("AssumeRoleWithWebIdentity");
        p.close();
        assertThat(p.resolveCredentials().accessKeyId()).as("what it last served, still good").isEqualTo(before);
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).as("no STS call to take it up again")
                .isEqualTo(calls);
        p.close();
    }

    @Test
    void credentialsWithAMinimumValidityFollowTheSameHoldAndCloseRulesAndCostNoStsCallWhenLongEnough(IrsaEnvironment env) {
        IrsaCredentialsProvider p = builder(env).roleSessionName("min-validity").shared(false).build();
        String before = p.resolveCredentials(Duration.ofMinutes(5)).accessKeyId();
        long calls = env.sts().calls().count("AssumeRoleWithWebIdentity");
        assertThat(calls).isEqualTo(1);
        assertThat(p.resolveCredentials(Duration.ofHours(2)).accessKeyId())
                .as("1-hour credentials just obtained: more than asked of them is capped, no refresh").isEqualTo(before);
        p.close();
        assertThat(p.resolveCredentials(Duration.ofMinutes(5)).accessKeyId()).as("answered after close, as resolveCredentials()")
                .isEqualTo(before);
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(calls);
        assertThatThrownBy(() -> p.resolveCredentials(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("minValidity");
        p.close();
    }

    @Test
    void withDefaultFallbackNeverAnswersWithOtherCredentialsWhileIrsaIsConfigured(IrsaEnvironment env) {
        Map<String, String> props = Map.of("aws.roleArn", env.roleArn(), "aws.webIdentityTokenFile",
                env.tokenFile().toString(), "aws.region", env.region(), "aws.endpointUrlSts", env.stsEndpoint().toString(),
                "aws.roleSessionName", "fallback-test",
                // what DefaultCredentialsProvider would find first: keys of another identity
                "aws.accessKeyId", "AKIAOTHERIDENTITY000", "aws.secretAccessKey", "other-secret");
        props.forEach(System::setProperty);
        env.sts().faults().failAlways(Fault.CONNECTION_RESET); // STS unreachable at first use
        AwsCredentialsProvider p = IrsaCredentialsProvider.withDefaultFallback();
        try {
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(p::resolveCredentials).isInstanceOf(SdkClientException.class)
                        .hasMessageContaining("STS");
            }
            env.sts().faults().clear();
            try {
                Thread.sleep(10_500); // past the retry backoff without valid credentials (at most 10 s)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertThat(p.resolveCredentials().accessKeyId()).as("IRSA's, never the other identity's").startsWith("ASIA");
            assertThat(p).isInstanceOf(IrsaCredentialsProvider.class);
        } finally {
            env.sts().faults().clear();
            props.keySet().forEach(System::clearProperty);
            if (p instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        // Not configured: the SDK's default chain, as before (unless this machine itself is an IRSA pod).
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("AWS_ROLE_ARN") == null,
                "this machine has AWS_ROLE_ARN set: the unconfigured case cannot be tried here");
        AwsCredentialsProvider unconfigured = IrsaCredentialsProvider.withDefaultFallback();
        assertThat(unconfigured).isInstanceOf(DefaultCredentialsProvider.class);
        ((DefaultCredentialsProvider) unconfigured).close();
    }

    @Test
    void buildCopiesTheBuilderSoLaterChangesDoNotLeakIntoBuiltProviders(IrsaEnvironment env) {
        String other = env.sts().createRole(env.accountId(), "other-role",
                dev.irsa.testkit.TrustPolicy.forServiceAccount(env.accountId(), env.issuer().hostAndPath(), env.namespace(),
                        env.serviceAccount()), Duration.ofHours(1));
        IrsaCredentialsProvider.Builder b = builder(env).shared(false);
        try (IrsaCredentialsProvider first = b.roleArn(env.roleArn()).build();
             IrsaCredentialsProvider second = b.roleArn(other).build();
             IrsaCredentialsProvider rebuilt = first.toBuilder().build()) {
            assertThat(second.state().orElseThrow().roleArn()).isEqualTo(other);
            assertThat(rebuilt.state().orElseThrow().roleArn()).as("first's configuration, not the builder's later one")
                    .isEqualTo(env.roleArn());
        }
    }

    @Test
    void aChainedProvidersToBuilderRebuildsTheChainedRole(IrsaEnvironment env) {
        String target = env.sts().createRole("444455556666", "chained-target", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                 "Principal":{"AWS":"%s"},"Action":"sts:AssumeRole"}]}""".formatted(env.roleArn()), Duration.ofHours(1));
        try (IrsaCredentialsProvider base = builder(env).roleSessionName("chain-base").build();
             IrsaCredentialsProvider chained = base.assumeRole(ChainedRoleConfig.builder(target).build());
             IrsaCredentialsProvider rebuilt = chained.toBuilder().build();
             StsClient sts = sts(env, rebuilt)) {
            assertThat(rebuilt.state().orElseThrow().roleArn()).isEqualTo(target);
            assertThat(sts.getCallerIdentity().arn()).contains(":assumed-role/chained-target/");
        }
    }
}
