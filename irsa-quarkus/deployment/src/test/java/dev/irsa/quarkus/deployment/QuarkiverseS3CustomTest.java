package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Quarkiverse's {@code quarkus-amazon-s3} told to use the {@code irsa} bean by name
 * ({@code quarkus.s3.aws.credentials.type=custom}, {@code custom-provider.name=irsa}): the application starts (their
 * client builder looks the bean up while the application is being initialised), and the {@link S3Client} they build
 * signs with the session's key, without a session of its own.
 */
class QuarkiverseS3CustomTest {
    private static final String STS_BEFORE = "irsa.quarkus.test.quarkiverse-custom.sts-before";

    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class))
            .setBeforeAllCustomizer(() -> SharedState.get().put(STS_BEFORE,
                    Fixture.stsCalls("AssumeRoleWithWebIdentity")))
            .overrideConfigKey("quarkus.s3.aws.credentials.type", "custom")
            .overrideConfigKey("quarkus.s3.aws.credentials.custom-provider.name", "irsa")
            .overrideConfigKey("quarkus.s3.endpoint-override", Fixture.config().get("s3.endpoint"))
            .overrideConfigKey("quarkus.s3.path-style-access", "true")
            .overrideConfigKey("quarkus.s3.aws.region", "us-west-2"));

    @Inject
    S3Client s3;

    @Inject
    AwsCredentialsProvider irsa;

    @Test
    void quarkiversesClientSignsWithTheSessionsKey() {
        assertThat(s3.listBuckets().buckets()).hasSize(1);
        String key = Fixture.s3Keys().get(Fixture.s3Keys().size() - 1);
        assertThat(key).isEqualTo(irsa.resolveCredentials().accessKeyId());
        assertThat(Fixture.assumedRoleOf(key)).startsWith("arn:aws:sts::111122223333:assumed-role/app-role/");
        // one AssumeRoleWithWebIdentity for the application: the S3 client did not start a session of its own
        assertThat(Fixture.stsCalls("AssumeRoleWithWebIdentity"))
                .isEqualTo((long) SharedState.get().get(STS_BEFORE) + 1);
    }
}
