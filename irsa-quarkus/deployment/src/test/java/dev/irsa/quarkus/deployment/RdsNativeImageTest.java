package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.quarkus.builder.BuildContext;
import io.quarkus.builder.BuildStep;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.test.QuarkusUnitTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With irsa-rds on the class path (it is, in this module's tests), the Caffeine classes its token cache loads by name
 * are registered for reflection: Caffeine picks a generated cache class and node class by the builder's options and
 * loads them with {@code MethodHandles.Lookup.findClass}, which a native image answers only for registered classes.
 * A build step of the test reads the build's {@link ReflectiveClassBuildItem}s.
 */
class RdsNativeImageTest {
    private static final String SEEN = "irsa.quarkus.test.reflective";

    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class))
            .addBuildChainCustomizer(chain -> chain.addBuildStep(new BuildStep() {
                @Override
                public void execute(BuildContext context) {
                    List<String> seen = new ArrayList<>();
                    for (ReflectiveClassBuildItem item : context.consumeMulti(ReflectiveClassBuildItem.class)) {
                        for (String name : item.getClassNames()) {
                            seen.add(name + (item.isConstructors() ? " constructors" : "")
                                    + (item.isFields() ? " fields" : ""));
                        }
                    }
                    SharedState.get().put(SEEN, seen);
                    context.produce(new FeatureBuildItem("irsa-test-reflection-probe"));
                }
            }).consumes(ReflectiveClassBuildItem.class).produces(FeatureBuildItem.class).build()));

    @Test
    @SuppressWarnings("unchecked")
    void theTokenCachesCaffeineClassesAreRegistered() {
        List<String> seen = (List<String>) SharedState.get().get(SEEN);
        // The cache class for RdsAuthTokens' builder options (maximumSize only), as this Caffeine picks it: a bounded
        // manual cache's asMap() is that cache. Its static FACTORY field is read with findStaticVarHandle.
        String cache = Caffeine.newBuilder().maximumSize(1).build().asMap().getClass().getName();
        assertThat(cache).isEqualTo("com.github.benmanes.caffeine.cache.SSMS");
        assertThat(seen).contains(cache + " constructors fields");
        // Its node class (strong keys and values, maximum size), made with findConstructor.
        assertThat(seen).contains("com.github.benmanes.caffeine.cache.PSMS constructors fields");
    }
}
