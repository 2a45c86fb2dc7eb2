package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.deployment.builditem.RunTimeConfigurationDefaultBuildItem;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * With IRSA configured, a credentials type that a build step writes as a run-time default wins over the extension's
 * answer: where Quarkus puts a dev service's results, as their LocalStack dev service writes {@code type=static} and
 * its keys, which then sign.
 */
class QuarkiverseS3RunTimeDefaultTypeTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class))
            .addBuildChainCustomizer(chain -> chain.addBuildStep(context -> {
                context.produce(new RunTimeConfigurationDefaultBuildItem("quarkus.s3.aws.credentials.type", "static"));
                context.produce(new RunTimeConfigurationDefaultBuildItem(
                        "quarkus.s3.aws.credentials.static-provider.access-key-id", "AKIADEVSERVICEKEY001"));
                context.produce(new RunTimeConfigurationDefaultBuildItem(
                        "quarkus.s3.aws.credentials.static-provider.secret-access-key", "not-a-real-secret"));
            }).produces(RunTimeConfigurationDefaultBuildItem.class).build())
            .overrideConfigKey("quarkus.s3.endpoint-override", Fixture.config().get("s3.endpoint"))
            .overrideConfigKey("quarkus.s3.path-style-access", "true")
            .overrideConfigKey("quarkus.s3.aws.region", "us-west-2"));

    @Inject
    S3Client s3;

    @Test
    void theBuildStepsTypeWins() {
        assertThat(ConfigProvider.getConfig().getValue("quarkus.s3.aws.credentials.type", String.class))
                .isEqualTo("static");
        assertThat(ConfigProvider.getConfig().getOptionalValue("quarkus.s3.aws.credentials.custom-provider.name",
                String.class)).isEmpty();
        assertThat(s3.listBuckets().buckets()).hasSize(1);
        assertThat(Fixture.s3Keys()).last().isEqualTo("AKIADEVSERVICEKEY001");
    }
}
