package dev.irsa.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.spring.common.internal.ConfigDataBinderTrackerBase;
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
        // probed for presence to tell the lines apart: on a native image without them, the Boot 3 tracker thought
        // it ran on Boot 3 under Boot 4 and touched a type that is not there (NoClassDefFoundError)
        for (String probed : List.of(BOOT3_REGISTRY, BOOT4_REGISTRY)) {
            assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of(probed))).as(probed).accepts(hints);
        }
    }

    static final String BOOT3_REGISTRY = "org.springframework.boot.BootstrapRegistry";
    static final String BOOT4_REGISTRY = "org.springframework.boot.bootstrap.BootstrapRegistry";

    /** The line probe: exactly one line on a JVM, and a type that cannot be linked counts as absent, not a crash. */
    @Test
    void theBootLineProbeNamesOneLineAndTreatsALinkageErrorAsAbsent() {
        assertThat(ConfigDataBinderTrackerBase.BOOT4).isEqualTo(BootLine.BOOT4);
        assertThat(ConfigDataBinderTrackerBase.BOOT3).isEqualTo(!BootLine.BOOT4);
        ClassLoader broken = new ClassLoader(null) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith("org.springframework.")) {
                    throw new NoClassDefFoundError(name.replace('.', '/') + " (a native image without its metadata)");
                }
                return super.loadClass(name, resolve);
            }
        };
        assertThat(ConfigDataBinderTrackerBase.isPresent(BOOT4_REGISTRY, broken)).isFalse();
        assertThat(ConfigDataBinderTrackerBase.isPresent(BOOT4_REGISTRY, null)).isEqualTo(BootLine.BOOT4);
        assertThat(ConfigDataBinderTrackerBase.isPresent("dev.irsa.NoSuchType", null)).isFalse();
    }

    /** Each jar's own metadata names what that jar loads by name (a native image built without Spring AOT). */
    @Test
    void nativeImageMetadataShipsInTheJarsThatLoadByName() throws Exception {
        Map<String, List<String>> loadedBy = Map.of(
                "irsa-spring-common", List.of("dev.irsa.spring.IrsaBootstrapCredentials", BOOT3_REGISTRY, BOOT4_REGISTRY),
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
        // (The line probe's types are probed by name in irsa-spring-common: their metadata is checked above.)
        assertThat(IrsaRuntimeHints.INSTANTIATED_BY_NAME).allMatch(type -> loadedBy.values().stream()
                .anyMatch(types -> types.contains(type)));
    }
}
