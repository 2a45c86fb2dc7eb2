package dev.irsa.examples.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * What this application's Quarkus build hands to GraalVM's {@code native-image} carries the extension's native
 * registrations. Runs after {@code package} in the {@code native-sources} profile ({@code -Dnative-sources}), which
 * builds with {@code quarkus.native.enabled=true} and {@code quarkus.native.sources-only=true}: Quarkus runs all of
 * its native build steps and writes {@code target/native-sources} ({@code native-image.args} and the runner jar with
 * the generated {@code reflect-config.json} and {@code io.quarkus.runner.Feature}) instead of calling
 * {@code native-image}, which this build does not need. No image is built or run here.
 */
class NativeSourcesIT {
    private static final Path SOURCES = Path.of(System.getProperty("native.sources.dir", "target/native-sources"));

    private static List<String> args;
    private static Map<String, JsonObject> reflection;
    private static Set<String> runtimeInitialized;

    @BeforeAll
    static void readWhatQuarkusWrote() throws IOException {
        assertThat(SOURCES.resolve("native-image.args"))
                .as("the native-sources profile's build output").exists();
        args = List.of(Files.readString(SOURCES.resolve("native-image.args")).trim().split("\\s+"));
        Path runner;
        try (Stream<Path> files = Files.list(SOURCES)) {
            runner = files.filter(f -> f.getFileName().toString().endsWith("-runner.jar")).findFirst().orElseThrow();
        }
        try (JarFile jar = new JarFile(runner.toFile())) {
            try (InputStream in = jar.getInputStream(jar.getEntry("META-INF/native-image/reflect-config.json"));
                 JsonReader reader = Json.createReader(in)) {
                reflection = reader.readArray().stream().map(JsonValue::asJsonObject)
                        .collect(Collectors.toMap(o -> o.getString("name"), o -> o, (a, b) -> a));
            }
            try (InputStream in = jar.getInputStream(jar.getEntry("io/quarkus/runner/Feature.class"))) {
                runtimeInitialized = runtimeInitialized(in.readAllBytes());
            }
        }
    }

    @Test
    void theStsModuleProbeIsRegisteredForReflection() {
        // the adapter's Class.forName("...StsClient"): without it the image would say the sts module is missing
        assertThat(reflection).containsKey("software.amazon.awssdk.services.sts.StsClient");
    }

    @Test
    void theProviderIsRegisteredForReflectionWithItsFactoryMethods() {
        // AWS SDK profiles, Hadoop S3A and Iceberg load it by name and call create() / create(Map)
        assertThat(Optional.ofNullable(reflection.get("dev.irsa.sdk.IrsaCredentialsProvider")))
                .as("reflect-config.json entry").hasValueSatisfying(entry -> {
                    assertThat(entry.getBoolean("allDeclaredMethods", false)).isTrue();
                });
    }

    @Test
    void sessionNamesAreInitialisedWhenTheImageRuns() {
        // its random per-process suffix must not be fixed in the image, shared by every pod that runs it
        assertThat(runtimeInitialized).contains("dev.irsa.core.internal.SessionNames");
    }

    @Test
    void httpsUrlsAreEnabled() {
        // the library calls STS and the Pod Identity agent over https with HttpURLConnection
        assertThat(args).anySatisfy(arg -> assertThat(arg).startsWith("--enable-url-protocols=")
                .satisfies(a -> assertThat(a.substring(a.indexOf('=') + 1).split(",")).contains("https")));
    }

    /**
     * The class names Quarkus's generated {@code Feature} passes to
     * {@code RuntimeClassInitialization.initializeAtRunTime}: in {@code beforeAnalysis} it adds
     * {@code Class.forName("name", false, loader)} to a list per class ({@code list} loaded before the name), then
     * passes the list's array.
     */
    private static Set<String> runtimeInitialized(byte[] feature) {
        ClassNode type = new ClassNode();
        new ClassReader(feature).accept(type, 0);
        Map<Integer, Set<String>> added = new HashMap<>();
        Set<String> result = new LinkedHashSet<>();
        for (MethodNode method : type.methods) {
            Integer receiver = null;
            Integer listOfName = null;
            String name = null;
            for (AbstractInsnNode insn : method.instructions) {
                if (insn.getOpcode() == Opcodes.ALOAD) {
                    receiver = ((VarInsnNode) insn).var;
                } else if (insn instanceof LdcInsnNode ldc && ldc.cst instanceof String s) {
                    name = s;
                    listOfName = receiver;
                } else if (insn instanceof MethodInsnNode call) {
                    if (call.owner.equals("java/util/Collection") && call.name.equals("add") && name != null) {
                        added.computeIfAbsent(listOfName, k -> new LinkedHashSet<>()).add(name);
                    } else if (call.owner.equals("java/util/Collection") && call.name.equals("size")) {
                        name = null;
                    } else if (call.owner.equals("org/graalvm/nativeimage/hosted/RuntimeClassInitialization")
                            && call.name.equals("initializeAtRunTime")) {
                        result.addAll(added.getOrDefault(receiver, Set.of()));
                    }
                }
            }
        }
        assertThat(result).as("classes Quarkus's Feature initialises at run time").isNotEmpty();
        return result;
    }
}
