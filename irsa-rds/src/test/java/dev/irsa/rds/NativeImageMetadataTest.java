package dev.irsa.rds;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Cache;
import dev.irsa.rds.hikari.RdsIamHikariCredentialsProvider;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/**
 * The jar's {@code META-INF/native-image} metadata names what is created by name when irsa-rds runs, so a GraalVM
 * native image (Quarkus, Spring Boot, Micronaut or plain) can create it: HikariCP's
 * {@code credentialsProviderClassName}, and the Caffeine classes the token cache is made of (Caffeine finds the class
 * for a configuration by name and calls its constructor through a method handle; Caffeine ships no metadata).
 */
class NativeImageMetadataTest {
    private static final String PATH = "META-INF/native-image/dev.irsa/irsa-rds/reflect-config.json";

    @Test
    void hikariCanCreateTheProviderByName() throws Exception {
        // the constructor HikariCP calls for credentialsProviderClassName: public, no arguments
        assertThat(RdsIamHikariCredentialsProvider.class.getConstructor()).isNotNull();
        assertThat(constructors(RdsIamHikariCredentialsProvider.class.getName())).contains(List.of());
    }

    @Test
    void theTokenCachesCaffeineClassesAreRegisteredWithTheConstructorsCaffeineCalls() throws Exception {
        try (RdsAuthTokens tokens = RdsAuthTokens.builder()
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "x")))
                .build()) {
            Object cache = field(field(tokens, "cache"), "cache"); // the manual cache's BoundedLocalCache
            Object nodeFactory = field(cache, "nodeFactory");
            assertThat(constructors(cache.getClass().getName())).contains(List.of(
                    "com.github.benmanes.caffeine.cache.Caffeine", "com.github.benmanes.caffeine.cache.AsyncCacheLoader",
                    "boolean"));
            assertThat(constructors(nodeFactory.getClass().getName())).contains(List.of());
            assertThat(field(tokens, "cache")).isInstanceOf(Cache.class);
            // Caffeine first looks up a class's static FACTORY field (findStaticGetter), the constructor only when
            // there is none: a class that has one needs it registered too, or the image takes a path the JVM never does
            for (Class<?> type : List.of(cache.getClass(), nodeFactory.getClass())) {
                if (hasStaticFactory(type)) {
                    assertThat(fields(type.getName())).as(type.getName()).contains("FACTORY");
                }
            }
        }
    }

    private static boolean hasStaticFactory(Class<?> type) {
        try {
            return java.lang.reflect.Modifier.isStatic(type.getDeclaredField("FACTORY").getModifiers());
        } catch (NoSuchFieldException e) {
            return false;
        }
    }

    /** The names of the fields the metadata registers for {@code type}. */
    private static List<String> fields(String type) throws IOException {
        return entry(type).field("fields").map(JsonNode::asArray).orElse(List.of()).stream()
                .map(f -> f.field("name").orElseThrow().text()).toList();
    }

    /** The parameter types of each constructor the metadata registers for {@code type} ({@code <init>}). */
    private static List<List<String>> constructors(String type) throws IOException {
        return entry(type).field("methods").map(JsonNode::asArray).orElse(List.of()).stream()
                .filter(m -> m.field("name").orElseThrow().text().equals("<init>"))
                .map(m -> m.field("parameterTypes").orElseThrow().asArray().stream().map(JsonNode::text).toList())
                .toList();
    }

    /** The metadata's entry for {@code type}. */
    private static JsonNode entry(String type) throws IOException {
        Map<String, JsonNode> entries;
        try (InputStream in = NativeImageMetadataTest.class.getClassLoader().getResourceAsStream(PATH)) {
            assertThat(in).as(PATH).isNotNull();
            entries = JsonNode.parser().parse(in).asArray().stream()
                    .collect(Collectors.toMap(e -> e.field("name").orElseThrow().text(), e -> e));
        }
        assertThat(entries).as(PATH).containsKey(type);
        return entries.get(type);
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(target);
            } catch (NoSuchFieldException e) {
                // declared further up
            }
        }
        throw new NoSuchFieldException(target.getClass().getName() + "." + name);
    }
}
