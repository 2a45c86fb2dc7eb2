package dev.irsa.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.TestIsolation;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.s3.S3Emulator;
import dev.irsa.testkit.s3.S3Request;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Liveness;
import io.micronaut.management.health.indicator.annotation.Readiness;
import io.micronaut.inject.qualifiers.Qualifiers;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A Micronaut application with micronaut-aws's S3 client, configured through {@code irsa.*} against the test kit's
 * IRSA emulator: the client Micronaut builds signs with the session's key, and health and meters report the session.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MicronautS3ClientTest implements TestPropertyProvider {
    private static final IrsaEnvironment env;
    private static final S3Emulator s3;

    static {
        TestIsolation.reset();
        env = IrsaEnvironment.start();
        s3 = S3Emulator.builder().sts(env.sts()).bucket("app-bucket").start();
    }

    @Inject
    ApplicationContext context;
    @Inject
    S3Client s3Client;
    @Inject
    AwsCredentialsProvider credentials;

    @Override
    public Map<String, String> getProperties() {
        return Map.of(
                "irsa.role-arn", env.roleArn(),
                "irsa.token-file", env.tokenFile().toString(),
                "irsa.region", env.region(),
                "irsa.sts-endpoint", env.stsEndpoint().toString(),
                "irsa.session-name", "micronaut-app",
                "aws.region", env.region(),
                "aws.services.s3.endpoint-override", s3.endpoint().toString(),
                "micronaut.metrics.enabled", "true");
    }

    @AfterAll
    void stopEmulators() {
        s3.close();
        env.close();
    }

    @Test
    void theS3ClientMicronautBuildsSignsWithTheSessionsKey() {
        assertThat(s3Client.listBuckets().buckets()).extracting(b -> b.name()).containsExactly("app-bucket");
        S3Request listed = s3.requests().get(s3.requests().size() - 1);
        assertThat(listed.accepted()).as("the emulator verified the signature").isTrue();
        String key = listed.accessKeyId();
        assertThat(key).startsWith("ASIA");
        assertThat(env.sts().assumedRoleArnOf(key)).contains("arn:aws:sts::111122223333:assumed-role/app-role/micronaut-app");
        assertThat(key).isEqualTo(context.getBean(IrsaCredentialsProvider.class).resolveCredentials().accessKeyId());
    }

    @Test
    void theInjectedProviderIsIrsaAndMicronautAwsChainHoldsOnlyIt() {
        assertThat(credentials).isInstanceOf(IrsaCredentialsProvider.class);
        AwsCredentialsProviderChain chain = context.getBean(AwsCredentialsProviderChain.class);
        assertThat(chain.resolveCredentials().accessKeyId()).isEqualTo(credentials.resolveCredentials().accessKeyId());
        assertThat(chain.toString()).contains("IrsaCredentialsProvider").doesNotContain("DefaultCredentialsProvider");
    }

    @Test
    void healthIsUpWithRoleAndExpiryForReadinessOnly() {
        var c = credentials.resolveCredentials();
        assertThat(context.getBeansOfType(HealthIndicator.class, Qualifiers.byStereotype(Readiness.class)))
                .hasAtLeastOneElementOfType(IrsaHealthIndicator.class);
        assertThat(context.getBeansOfType(HealthIndicator.class, Qualifiers.byStereotype(Liveness.class)))
                .noneMatch(IrsaHealthIndicator.class::isInstance);
        HealthResult health = Mono.from(context.getBean(IrsaHealthIndicator.class).getResult()).block();
        assertThat(health.getName()).isEqualTo("irsa");
        assertThat(health.getStatus()).isEqualTo(HealthStatus.UP);
        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) health.getDetails();
        assertThat(details).containsEntry("roleArn", env.roleArn()).containsKey("timeToExpiry").containsKey("expiration");
        assertThat(details.toString()).doesNotContain(c.secretAccessKey());
    }

    @Test
    void metersHaveTheStartersNamesAndTags() {
        credentials.resolveCredentials();
        MeterRegistry registry = context.getBean(MeterRegistry.class);
        assertThat(registry.get("irsa.credentials.refreshes").tag("outcome", "success").tag("source", "web-identity")
                .functionCounter().count()).isEqualTo(1);
        assertThat(registry.get("irsa.credentials.refresh").tag("outcome", "success").tag("trigger", "initial")
                .tag("source", "web-identity").functionTimer().count()).isEqualTo(1);
        assertThat(registry.get("irsa.credentials.expiry").tag("source", "web-identity").gauge().value())
                .isBetween(3000.0, 3601.0);
        assertThat(registry.get("irsa.credentials.refresh.failures").tag("kind", "non_recoverable").functionCounter()
                .count()).isZero();
    }
}
