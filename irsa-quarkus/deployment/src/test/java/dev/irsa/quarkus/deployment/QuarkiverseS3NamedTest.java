package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkiverse.amazon.common.AmazonClient;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;

/**
 * With IRSA configured, Quarkiverse's named S3 clients ({@code @AmazonClient("<name>")}, configured under
 * {@code quarkus.s3."<name>".*}) use the {@code irsa} bean too, and the application holds one session.
 *
 * <p>From their source (3.15.1, {@code AmazonClientCommonRecorder.initAwsClient}): a named client whose
 * {@code aws.credentials} group is absent takes the unnamed client's credentials ({@code files} here); one with a
 * property of its own in that group and no type gets its own declared default, {@code type=default}, the SDK's
 * {@code DefaultCredentialsProvider} ({@code tuned} here). The pod's variables are visible to the SDK for this class, as
 * on a pod, so that chain would start a second web-identity session against the STS emulator. A type of the user's
 * for a named client is kept ({@code mine}).
 */
class QuarkiverseS3NamedTest {
    private static final String STS_BEFORE = "irsa.quarkus.test.quarkiverse-named.sts-before";
    /** What the SDK's default chain reads on a pod (as system properties: the test cannot set the environment). */
    private static final Map<String, String> POD = Map.of(
            "aws.roleArn", Fixture.config().get("quarkus.irsa.role-arn"),
            "aws.webIdentityTokenFile", Fixture.config().get("quarkus.irsa.token-file"),
            "aws.region", Fixture.config().get("quarkus.irsa.region"),
            "aws.endpointUrlSts", Fixture.config().get("quarkus.irsa.sts-endpoint"));

    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class))
            .setBeforeAllCustomizer(() -> {
                POD.forEach(System::setProperty);
                SharedState.get().put(STS_BEFORE, Fixture.stsCalls("AssumeRoleWithWebIdentity"));
            })
            .setAfterAllCustomizer(() -> POD.keySet().forEach(System::clearProperty))
            .overrideConfigKey("quarkus.s3.aws.region", Fixture.config().get("quarkus.irsa.region"))
            .overrideConfigKey("quarkus.s3.path-style-access", "true")
            .overrideConfigKey("quarkus.s3.files.endpoint-override", Fixture.config().get("s3.verifying-endpoint"))
            .overrideConfigKey("quarkus.s3.tuned.endpoint-override", Fixture.config().get("s3.verifying-endpoint"))
            // a property of its own in the credentials group, no type
            .overrideConfigKey("quarkus.s3.tuned.aws.credentials.default-provider.reuse-last-provider-enabled", "true")
            .overrideConfigKey("quarkus.s3.mine.endpoint-override", Fixture.config().get("s3.endpoint"))
            .overrideConfigKey("quarkus.s3.mine.aws.credentials.type", "static")
            .overrideConfigKey("quarkus.s3.mine.aws.credentials.static-provider.access-key-id", "AKIANAMEDCLIENTKEY01")
            .overrideConfigKey("quarkus.s3.mine.aws.credentials.static-provider.secret-access-key", "not-a-real-secret"));

    @Inject
    @AmazonClient("files")
    S3Client files;

    @Inject
    @AmazonClient("tuned")
    S3Client tuned;

    @Inject
    @AmazonClient("mine")
    S3Client mine;

    @Inject
    AwsCredentialsProvider irsa;

    @Test
    void namedClientsSignWithTheSessionsKeyAndTheApplicationHoldsOneSession() {
        String session = irsa.resolveCredentials().accessKeyId();
        assertThat(files.listBuckets().buckets()).extracting(Bucket::name).containsExactly("app-bucket");
        assertThat(Fixture.verifiedS3Keys()).last().as("key that signed files' request").isEqualTo(session);
        assertThat(tuned.listBuckets().buckets()).extracting(Bucket::name).containsExactly("app-bucket");
        assertThat(Fixture.verifiedS3Keys()).last().as("key that signed tuned's request").isEqualTo(session);
        assertThat(Fixture.assumedRoleOf(session)).startsWith("arn:aws:sts::111122223333:assumed-role/app-role/");
        assertThat(Fixture.stsCalls("AssumeRoleWithWebIdentity")).as("AssumeRoleWithWebIdentity calls")
                .isEqualTo((long) SharedState.get().get(STS_BEFORE) + 1);
        assertThat(ConfigProvider.getConfig().getValue("quarkus.s3.tuned.aws.credentials.custom-provider.name",
                String.class)).isEqualTo("irsa");
    }

    @Test
    void aNamedClientsOwnTypeWins() {
        assertThat(ConfigProvider.getConfig().getOptionalValue("quarkus.s3.mine.aws.credentials.custom-provider.name",
                String.class)).isEmpty();
        assertThat(mine.listBuckets().buckets()).hasSize(1);
        assertThat(Fixture.s3Keys()).last().isEqualTo("AKIANAMEDCLIENTKEY01");
    }
}
