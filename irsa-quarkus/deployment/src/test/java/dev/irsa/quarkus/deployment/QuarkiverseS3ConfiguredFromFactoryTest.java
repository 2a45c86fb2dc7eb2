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
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * With {@code quarkus.irsa.*} (role ARN, token file, region, STS endpoint) only in a source that a
 * {@link ConfigSourceFactory} makes (as quarkus-kubernetes-config makes one of a ConfigMap) and none of the pod's
 * variables, Quarkiverse's S3 client uses the {@code irsa} bean: the same test as the bean's, on the same sources.
 */
class QuarkiverseS3ConfiguredFromFactoryTest {
    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class, ConfigMap.class,
                            BlankPodVariables.class)
                    .addAsServiceProvider(SmallRyeConfigBuilderCustomizer.class, ConfigMap.class)
                    .addAsServiceProvider(ConfigSource.class, BlankPodVariables.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.s3.endpoint-override", Fixture.config().get("s3.endpoint"))
            .overrideConfigKey("quarkus.s3.path-style-access", "true")
            .overrideConfigKey("quarkus.s3.aws.region", "us-west-2");

    @Inject
    S3Client s3;

    @Inject
    AwsCredentialsProvider irsa;

    @Test
    void quarkiversesClientSignsWithTheSessionsKey() {
        assertThat(ConfigProvider.getConfig().getValue("quarkus.s3.aws.credentials.type", String.class))
                .isEqualTo("custom");
        assertThat(s3.listBuckets().buckets()).hasSize(1);
        assertThat(Fixture.s3Keys()).last().isEqualTo(irsa.resolveCredentials().accessKeyId());
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
            builder.withSources((ConfigSourceFactory) context -> {
                if (ExecutionMode.current() == ExecutionMode.UNSET) {
                    return List.of();
                }
                Map<String, String> irsa = Fixture.config().entrySet().stream()
                        .filter(e -> e.getKey().startsWith("quarkus.irsa."))
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
                return List.<ConfigSource>of(new PropertiesConfigSource(irsa, "test-config-map", 270));
            });
        }
    }
}
