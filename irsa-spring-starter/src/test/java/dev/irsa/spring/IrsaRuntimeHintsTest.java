package dev.irsa.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
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

    /** Each jar's own metadata names what that jar loads by name (a native image built without Spring AOT). */
    @Test
    void nativeImageMetadataShipsInTheJarsThatLoadByName() throws Exception {
        Map<String, List<String>> loadedBy = Map.of(
                "irsa-spring-common", List.of("dev.irsa.spring.IrsaBootstrapCredentials"),
                "irsa-spring-boot4-support", List.of("dev.irsa.spring.boot4.IrsaBootstrapRegistryInitializer",
                        "dev.irsa.spring.boot4.ConfigDataBinderTracker", "dev.irsa.spring.boot4.FailedStartRelease"),
                "irsa-spring-boot3-support", List.of("dev.irsa.spring.boot3.IrsaBootstrapRegistryInitializer",
                        "dev.irsa.spring.boot3.ConfigDataBinderTracker", "dev.irsa.spring.boot3.FailedStartRelease"),
                "irsa-sdk-v2-adapter", List.of("software.amazon.awssdk.services.sts.StsClient"));
        loadedBy.forEach((jar, types) -> {
            String path = "META-INF/native-image/dev.irsa/" + jar + "/reflect-config.json";
            try (InputStream in = getClass().getClassLoader().getResourceAsStream(path)) {
                assertThat(in).as(path).isNotNull();
                String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                for (String type : types) {
                    assertThat(json).as(path).contains("\"name\": \"" + type + "\"");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        // Every type loaded by name has its metadata somewhere, not only a Spring AOT hint.
        assertThat(IrsaRuntimeHints.INSTANTIATED_BY_NAME).allMatch(type -> loadedBy.values().stream()
                .anyMatch(types -> types.contains(type)));
    }
}
