package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * With neither IRSA nor Pod Identity configured (a developer's laptop), Quarkiverse's S3 client keeps its own
 * default chain: the extension sets none of its properties. Whatever the machine running the test has: its
 * variables are hidden ({@link BlankPodVariables}; {@code overrideConfigKey} writes application.properties, which the
 * environment overrides).
 */
class QuarkiverseS3NotConfiguredTest {
    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            // as on a machine without IRSA or Pod Identity, even when the build runs on a pod that has them
            .withApplicationRoot(jar -> jar.addClass(BlankPodVariables.class)
                    .addAsServiceProvider(ConfigSource.class, BlankPodVariables.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.s3.aws.region", "us-west-2");

    @Inject
    S3Client s3;

    @Test
    void theirDefaultChainIsLeftAlone() {
        assertThat(s3).isNotNull();
        // their own default (a @WithDefault of theirs), not the extension's "custom"
        assertThat(ConfigProvider.getConfig().getValue("quarkus.s3.aws.credentials.type", String.class))
                .isEqualTo("default");
        assertThat(ConfigProvider.getConfig().getOptionalValue("quarkus.s3.aws.credentials.custom-provider.name",
                String.class)).isEmpty();
    }
}
