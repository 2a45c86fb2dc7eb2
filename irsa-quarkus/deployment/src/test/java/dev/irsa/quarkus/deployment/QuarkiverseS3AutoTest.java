package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * With IRSA configured and no {@code quarkus.s3.aws.credentials.*} property of the user's, Quarkiverse's
 * {@link S3Client} uses the {@code irsa} bean by itself: it signs with the session's key, without a session of its own
 * (their default would be the SDK's {@code DefaultCredentialsProvider}).
 */
class QuarkiverseS3AutoTest {
    private static final String STS_BEFORE = "irsa.quarkus.test.quarkiverse-auto.sts-before";

    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class))
            .setBeforeAllCustomizer(() -> SharedState.get().put(STS_BEFORE,
                    Fixture.stsCalls("AssumeRoleWithWebIdentity")))
            .overrideConfigKey("quarkus.s3.endpoint-override", Fixture.config().get("s3.endpoint"))
            .overrideConfigKey("quarkus.s3.path-style-access", "true")
            .overrideConfigKey("quarkus.s3.aws.region", "us-west-2"));

    @Inject
    S3Client s3;

    @Inject
    AwsCredentialsProvider irsa;

    @Test
    void quarkiversesClientSignsWithTheSessionsKeyWithoutAnyProperty() {
        assertThat(ConfigProvider.getConfig().getValue("quarkus.s3.aws.credentials.type", String.class))
                .isEqualTo("custom");
        assertThat(s3.listBuckets().buckets()).hasSize(1);
        String key = Fixture.s3Keys().get(Fixture.s3Keys().size() - 1);
        assertThat(key).isEqualTo(irsa.resolveCredentials().accessKeyId());
        assertThat(Fixture.assumedRoleOf(key)).startsWith("arn:aws:sts::111122223333:assumed-role/app-role/");
        assertThat(Fixture.stsCalls("AssumeRoleWithWebIdentity"))
                .isEqualTo((long) SharedState.get().get(STS_BEFORE) + 1);
    }
}
