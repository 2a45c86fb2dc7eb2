package dev.irsa.quarkus.deployment;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With IRSA configured but {@code quarkus.irsa.active=false}, Quarkiverse's S3 client is not pointed at the inactive
 * {@code irsa} bean (looking it up would fail their start): their default chain is left alone.
 */
class QuarkiverseS3InactiveTest extends QuarkiverseDefaultChainLeftAlone {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class))
            .overrideConfigKey("quarkus.irsa.active", "false")
            .overrideConfigKey("quarkus.s3.aws.region", "us-west-2"));
}
