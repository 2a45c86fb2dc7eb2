package dev.irsa.quarkus.deployment;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With IRSA configured and quarkus.irsa.active="false " (a trailing space), which SmallRye converts to false as the bean reads it (the bean is
 * inactive), Quarkiverse's S3 client is not pointed at the bean: the start succeeds and their default stays.
 */
class QuarkiverseS3InactiveFalseWithSpaceTest extends QuarkiverseDefaultChainLeftAlone {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class))
            .overrideConfigKey("quarkus.irsa.active", "false ")
            .overrideConfigKey("quarkus.s3.aws.region", "us-west-2"));
}
