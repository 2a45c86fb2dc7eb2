package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.config.EnvConfigSource;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * With IRSA configured, a credentials type the user chose in the environment ({@code QUARKUS_S3_AWS_CREDENTIALS_TYPE},
 * the environment's spelling of the property) wins, and the extension adds nothing of its own beside it.
 */
class QuarkiverseS3UserEnvTypeTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class, Environment.class)
                    .addAsServiceProvider(ConfigSource.class, Environment.class))
            .overrideConfigKey("quarkus.s3.endpoint-override", Fixture.config().get("s3.endpoint"))
            .overrideConfigKey("quarkus.s3.path-style-access", "true")
            .overrideConfigKey("quarkus.s3.aws.region", "us-west-2"));

    @Inject
    S3Client s3;

    @Test
    void theUsersTypeWins() {
        assertThat(ConfigProvider.getConfig().getValue("quarkus.s3.aws.credentials.type", String.class))
                .isEqualTo("static");
        assertThat(ConfigProvider.getConfig().getOptionalValue("quarkus.s3.aws.credentials.custom-provider.name",
                String.class)).isEmpty();
        assertThat(s3.listBuckets().buckets()).hasSize(1);
        assertThat(Fixture.s3Keys()).last().isEqualTo("AKIAUSERSENVKEY00001");
    }

    /** Environment variables as the pod's would be (a process's own cannot be set from a test). */
    public static class Environment extends EnvConfigSource {
        /** Created by the configuration's service loader. */
        public Environment() {
            super(Map.of("QUARKUS_S3_AWS_CREDENTIALS_TYPE", "static",
                    "QUARKUS_S3_AWS_CREDENTIALS_STATIC_PROVIDER_ACCESS_KEY_ID", "AKIAUSERSENVKEY00001",
                    "QUARKUS_S3_AWS_CREDENTIALS_STATIC_PROVIDER_SECRET_ACCESS_KEY", "not-a-real-secret"), 295);
        }
    }
}
