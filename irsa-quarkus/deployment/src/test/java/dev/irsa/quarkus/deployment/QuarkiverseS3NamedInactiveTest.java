package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkiverse.amazon.common.AmazonClient;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * With IRSA configured and {@code quarkus.irsa.active=false} (the bean is inactive), Quarkiverse's named S3 clients are
 * not pointed at the bean either: the start succeeds and a named client with a credentials property of its own keeps
 * its own default type, as the unnamed client keeps its.
 */
class QuarkiverseS3NamedInactiveTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class))
            .overrideConfigKey("quarkus.irsa.active", "false")
            .overrideConfigKey("quarkus.s3.aws.region", "us-west-2")
            .overrideConfigKey("quarkus.s3.tuned.aws.credentials.default-provider.reuse-last-provider-enabled", "true"));

    @Inject
    @AmazonClient("tuned")
    S3Client tuned;

    @Test
    void theirNamedClientsDefaultIsLeftAlone() {
        assertThat(tuned).isNotNull();
        Config config = ConfigProvider.getConfig();
        assertThat(config.getValue("quarkus.s3.tuned.aws.credentials.type", String.class)).isEqualTo("default");
        assertThat(config.getOptionalValue("quarkus.s3.tuned.aws.credentials.custom-provider.name", String.class))
                .isEmpty();
        assertThat(config.getValue("quarkus.s3.aws.credentials.type", String.class)).isEqualTo("default");
    }
}
