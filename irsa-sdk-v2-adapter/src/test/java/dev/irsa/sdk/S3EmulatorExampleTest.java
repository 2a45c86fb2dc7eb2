package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.SettingsSource;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import dev.irsa.testkit.s3.S3Emulator;
import dev.irsa.testkit.s3.S3Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The test kit's S3 example in docs/testing.md, compiled and run as it is printed there (checked against the tagged
 * part by {@link DocsSnippetsTest}): an S3 client on the IRSA provider, against the S3 emulator that verifies its
 * signatures with the secret the STS emulator issued.
 */
class S3EmulatorExampleTest {
    // tag::s3-emulator[]
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    @Test
    void theS3ClientSignsWithTheSessionsKey(IrsaEnvironment env) {
        try (S3Emulator s3 = S3Emulator.builder().sts(env.sts()).bucket("app-bucket").start();
             IrsaCredentialsProvider provider = IrsaCredentialsProvider.builder()
                     .settings(SettingsSource.ofEnvironment(env.podEnvironment())).build();
             S3Client client = S3Client.builder().endpointOverride(s3.endpoint()).forcePathStyle(true)
                     .region(Region.of(env.region())).credentialsProvider(provider).build()) {
            client.putObject(p -> p.bucket("app-bucket").key("greeting"), RequestBody.fromString("hello"));

            assertThat(s3.object("app-bucket", "greeting")).hasValue("hello".getBytes());
            S3Request put = s3.requests().get(0);
            assertThat(put.accepted()).isTrue(); // signature verified with the issued secret
            assertThat(env.sts().assumedRoleArnOf(put.accessKeyId())).isPresent(); // a key STS issued to the role
        }
    }
    // end::s3-emulator[]
}
