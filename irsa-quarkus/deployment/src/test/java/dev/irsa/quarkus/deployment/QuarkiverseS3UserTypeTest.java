package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * With IRSA configured, a credentials type the user chose for Quarkiverse's S3 client wins over the extension's
 * defaults: here static keys, which sign its requests.
 */
class QuarkiverseS3UserTypeTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class))
            .overrideConfigKey("quarkus.s3.aws.credentials.type", "static")
            .overrideConfigKey("quarkus.s3.aws.credentials.static-provider.access-key-id", "AKIAUSERSCHOSENKEY01")
            .overrideConfigKey("quarkus.s3.aws.credentials.static-provider.secret-access-key", "not-a-real-secret")
            .overrideConfigKey("quarkus.s3.endpoint-override", Fixture.config().get("s3.endpoint"))
            .overrideConfigKey("quarkus.s3.path-style-access", "true")
            .overrideConfigKey("quarkus.s3.aws.region", "us-west-2"));

    @Inject
    S3Client s3;

    @Test
    void theUsersTypeWins() {
        assertThat(ConfigProvider.getConfig().getOptionalValue("quarkus.s3.aws.credentials.custom-provider.name",
                String.class)).isEmpty();
        assertThat(s3.listBuckets().buckets()).hasSize(1);
        assertThat(Fixture.s3Keys()).last().isEqualTo("AKIAUSERSCHOSENKEY01");
    }
}
