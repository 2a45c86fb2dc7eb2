package dev.irsa.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.CredentialSource;
import dev.irsa.core.TestIsolation;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.PodIdentityEnvironment;
import dev.irsa.testkit.s3.S3Emulator;
import dev.irsa.testkit.s3.S3Request;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.health.HealthStatus;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A Micronaut application on a pod with an EKS Pod Identity association (the test kit's agent emulator), nothing of
 * {@code irsa.*} set: micronaut-aws's S3 client signs with the agent's credentials, meters say {@code pod-identity}.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodIdentityMicronautTest implements TestPropertyProvider {
    private static final PodIdentityEnvironment env;
    private static final S3Emulator s3;

    static {
        TestIsolation.reset();
        env = PodIdentityEnvironment.start();
        s3 = S3Emulator.start(env);
    }

    @Inject
    S3Client s3Client;
    @Inject
    IrsaCredentialsProvider provider;
    @Inject
    IrsaHealthIndicator health;
    @Inject
    MeterRegistry registry;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> p = new HashMap<>(env.podEnvironment());
        p.put("aws.region", env.region());
        p.put("aws.services.s3.endpoint-override", s3.endpoint().toString());
        return p;
    }

    @AfterAll
    void stopEmulators() {
        s3.close();
        env.close();
    }

    @Test
    void theS3ClientMicronautBuildsSignsWithTheAgentsCredentials() {
        assertThat(provider.source()).contains(CredentialSource.POD_IDENTITY);
        s3Client.listBuckets();
        S3Request listed = s3.requests().get(s3.requests().size() - 1);
        assertThat(listed.accepted()).as("the emulator verified the signature").isTrue();
        String key = listed.accessKeyId();
        assertThat(key).isEqualTo(provider.resolveCredentials().accessKeyId());
        assertThat(env.sts().assumedRoleArnOf(key)).hasValueSatisfying(arn -> assertThat(arn).contains(":assumed-role/"));
        assertThat(env.agent().count("Success")).isEqualTo(1);
        assertThat(Mono.from(health.getResult()).block().getStatus()).isEqualTo(HealthStatus.UP);
        assertThat(registry.get("irsa.credentials.refreshes").tag("outcome", "success").tag("source", "pod-identity")
                .functionCounter().count()).isEqualTo(1);
    }
}
