package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.builder.BuildContext;
import io.quarkus.builder.BuildStep;
import io.quarkus.deployment.builditem.ExtensionSslNativeSupportBuildItem;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.test.QuarkusUnitTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The extension asks for SSL in a native image (the library calls STS and the Pod Identity agent over https with
 * {@code HttpURLConnection}): a build step of the test reads the build's {@link ExtensionSslNativeSupportBuildItem}s.
 */
class SslNativeSupportTest {
    private static final String SEEN = "irsa.quarkus.test.ssl-native";

    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class))
            .addBuildChainCustomizer(chain -> chain.addBuildStep(new BuildStep() {
                @Override
                public void execute(BuildContext context) {
                    SharedState.get().put(SEEN, context.consumeMulti(ExtensionSslNativeSupportBuildItem.class).stream()
                            .map(ExtensionSslNativeSupportBuildItem::getExtension).toList());
                    context.produce(new FeatureBuildItem("irsa-test-ssl-probe"));
                }
            }).consumes(ExtensionSslNativeSupportBuildItem.class).produces(FeatureBuildItem.class).build()));

    @Test
    @SuppressWarnings("unchecked")
    void theExtensionAsksForSsl() {
        assertThat((List<String>) SharedState.get().get(SEEN)).contains("irsa");
    }
}
