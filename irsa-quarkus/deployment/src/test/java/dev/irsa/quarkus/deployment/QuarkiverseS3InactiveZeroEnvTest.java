package dev.irsa.quarkus.deployment;

import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.config.EnvConfigSource;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With IRSA configured and {@code QUARKUS_IRSA_ACTIVE=0} in the environment (SmallRye reads 0 as false, so the bean
 * is inactive), Quarkiverse's S3 client is not pointed at the bean: the start succeeds and their default stays.
 */
class QuarkiverseS3InactiveZeroEnvTest extends QuarkiverseDefaultChainLeftAlone {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class, Environment.class)
                    .addAsServiceProvider(ConfigSource.class, Environment.class))
            .overrideConfigKey("quarkus.s3.aws.region", "us-west-2"));

    /** Environment variables as the pod's would be (a process's own cannot be set from a test). */
    public static class Environment extends EnvConfigSource {
        /** Created by the configuration's service loader. */
        public Environment() {
            super(Map.of("QUARKUS_IRSA_ACTIVE", "0"), 295);
        }
    }
}
