package dev.irsa.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import dev.irsa.testkit.s3.S3Emulator;
import dev.irsa.testkit.s3.S3Request;
import io.micronaut.context.ApplicationContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * micronaut-aws's async S3 client (on its Netty HTTP client) in a Micronaut application with IRSA. The client must be
 * built with the IRSA provider itself, whose {@code resolveIdentity} answers with a future at once, not with the
 * {@code AwsCredentialsProviderChain} bean micronaut-aws's factories take, whose {@code resolveIdentity} resolves
 * synchronously on the caller's thread (a Netty event loop, in a reactive controller) until STS answers.
 */
class MicronautS3AsyncClientTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    @AfterEach
    void noSessionAfterTheContextClosed() {
        assertThat(SessionRegistry.global().size()).as("sessions open after close").isZero();
    }

    @Test
    void micronautAwsClientsGetTheProviderItselfWhoseResolveIdentityNeverBlocks(IrsaEnvironment env) {
        // 8 s: returning within half of it (4 s) proves resolveIdentity did not wait, even on a loaded machine; the
        // read, attempt and wait timeouts (5, 10 and 10 s by default) are raised so the slow answer is still taken
        Duration stsLatency = Duration.ofSeconds(8);
        try (S3Emulator s3 = S3Emulator.builder().sts(env.sts()).bucket("app-bucket").start();
             ApplicationContext ctx = ApplicationContext.run(Map.of(
                     "irsa.role-arn", env.roleArn(),
                     "irsa.token-file", env.tokenFile().toString(),
                     "irsa.region", env.region(),
                     "irsa.sts-endpoint", env.stsEndpoint().toString(),
                     "irsa.warm-up", "false",
                     "irsa.read-timeout", "20s",
                     "irsa.attempt-timeout", "20s",
                     "irsa.refresh.wait-timeout", "20s",
                     "aws.region", env.region(),
                     "aws.services.s3.endpoint-override", s3.endpoint().toString()))) {
            IrsaCredentialsProvider provider = ctx.getBean(IrsaCredentialsProvider.class);
            S3AsyncClient client = ctx.getBean(S3AsyncClient.class);
            IdentityProvider<? extends AwsCredentialsIdentity> configured =
                    client.serviceClientConfiguration().credentialsProvider();
            assertThat(configured).as("the async client's credentials provider").isSameAs(provider);
            assertThat(ctx.getBean(S3Client.class).serviceClientConfiguration().credentialsProvider())
                    .as("the sync client's credentials provider").isSameAs(provider);

            env.sts().faults().latency(stsLatency);
            long t0 = System.nanoTime();
            CompletableFuture<? extends AwsCredentialsIdentity> identity = configured.resolveIdentity();
            Duration returnedAfter = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(returnedAfter).as("resolveIdentity held its caller while STS answered")
                    .isLessThan(stsLatency.dividedBy(2));
            assertThat(identity).as("answered before STS did").isNotDone();
            assertThat(identity.join().accessKeyId()).startsWith("ASIA");

            assertThat(client.listBuckets().join().buckets()).extracting(b -> b.name()).containsExactly("app-bucket");
            S3Request listed = s3.requests().get(s3.requests().size() - 1);
            assertThat(listed.accepted()).as("the emulator verified the signature").isTrue();
            assertThat(listed.accessKeyId()).isEqualTo(provider.resolveCredentials().accessKeyId());
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
        }
    }
}
