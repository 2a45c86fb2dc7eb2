package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * With IRSA configured and quarkus.irsa.active=off, which SmallRye converts to false as the bean reads it (the bean is
 * inactive), Quarkiverse's S3 client is not pointed at the bean: the start succeeds and their default stays.
 */
class QuarkiverseS3InactiveOffTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class))
            .overrideConfigKey("quarkus.irsa.active", "off")
            .overrideConfigKey("quarkus.s3.aws.region", "us-west-2"));

    @Inject
    S3Client s3;

    @Test
    void theirDefaultChainIsLeftAlone() {
        assertThat(s3).isNotNull();
        assertThat(ConfigProvider.getConfig().getValue("quarkus.s3.aws.credentials.type", String.class))
                .isEqualTo("default");
    }
}
