package dev.irsa.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.core.io.support.SpringFactoriesLoader;

/** Everything loaded by name has a hint, and the registrar is found the way Spring AOT finds it. */
class IrsaRuntimeHintsTest {
    @Test
    void registrarIsListedInAotFactoriesAndCoversWhatIsLoadedByName() throws Exception {
        assertThat(SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories")
                .load(RuntimeHintsRegistrar.class)).anyMatch(r -> r instanceof IrsaRuntimeHints);
        RuntimeHints hints = new RuntimeHints();
        new IrsaRuntimeHints().registerHints(hints, getClass().getClassLoader());
        // The other line's classes cannot be loaded here (their interfaces are missing), so they get no hint here.
        String otherLine = BootLine.BOOT4 ? "dev.irsa.spring.boot3." : "dev.irsa.spring.boot4.";
        for (String type : IrsaRuntimeHints.INSTANTIATED_BY_NAME) {
            if (type.startsWith(otherLine)) {
                continue;
            }
            assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of(type))
                    .withMemberCategory(MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS)).as(type).accepts(hints);
        }
        assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of("software.amazon.awssdk.services.sts.StsClient")))
                .accepts(hints);
    }

    @Test
    void nativeImageMetadataShipsInTheJarsThatLoadByName() throws Exception {
        for (String path : new String[] {
                "META-INF/native-image/dev.irsa/irsa-spring-boot4-support/reflect-config.json",
                "META-INF/native-image/dev.irsa/irsa-spring-boot3-support/reflect-config.json",
                "META-INF/native-image/dev.irsa/irsa-sdk-v2-adapter/reflect-config.json"}) {
            try (InputStream in = getClass().getClassLoader().getResourceAsStream(path)) {
                assertThat(in).as(path).isNotNull();
                String json = new String(in.readAllBytes());
                assertThat(json).as(path).contains("\"name\"");
            }
        }
    }
}
