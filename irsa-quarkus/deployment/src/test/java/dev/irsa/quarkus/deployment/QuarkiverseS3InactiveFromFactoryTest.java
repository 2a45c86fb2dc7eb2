package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.ExecutionMode;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.SmallRyeConfigBuilderCustomizer;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * With IRSA configured and {@code quarkus.irsa.active=false} from a source that a {@link ConfigSourceFactory} makes (as
 * quarkus-kubernetes-config makes one of a ConfigMap), Quarkiverse's S3 client is not pointed at the inactive bean.
 */
class QuarkiverseS3InactiveFromFactoryTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class, ConfigMap.class)
                    .addAsServiceProvider(SmallRyeConfigBuilderCustomizer.class, ConfigMap.class))
            .overrideConfigKey("quarkus.s3.aws.region", "us-west-2"));

    @Inject
    S3Client s3;

    @Test
    void theirDefaultChainIsLeftAlone() {
        assertThat(ConfigProvider.getConfig().getValue("quarkus.irsa.active", Boolean.class)).isFalse();
        assertThat(s3).isNotNull();
        assertThat(ConfigProvider.getConfig().getValue("quarkus.s3.aws.credentials.type", String.class))
                .isEqualTo("default");
    }

    /**
     * Stands for quarkus-kubernetes-config: a {@link ConfigSourceFactory} (its source of a ConfigMap, ordinal 270 as
     * theirs) added to the builder Quarkus makes the run-time configuration with, as that extension adds its own, and
     * read only when the application runs (the ConfigMap is not there when it is built: Quarkus would otherwise
     * record what it saw at build time in a source of its own, which every factory sees).
     */
    public static class ConfigMap implements SmallRyeConfigBuilderCustomizer {
        @Override
        public void configBuilder(SmallRyeConfigBuilder builder) {
            builder.withSources((ConfigSourceFactory) context -> ExecutionMode.current() == ExecutionMode.UNSET ? List.of()
                    : List.<ConfigSource>of(new PropertiesConfigSource(Map.of("quarkus.irsa.active", "false"),
                            "test-config-map", 270)));
        }
    }
}
