package dev.irsa.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.internal.DocSnippets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.json.JsonParserFactory;

/**
 * docs/spring-boot.md's properties table lists exactly the {@code irsa.*} properties of {@link IrsaProperties}, each
 * with its type and default as the configuration metadata (generated from the class at compile time, the same data
 * IDEs complete from) gives them, and a meaning.
 */
class SpringBootPropertiesTableTest {
    private static final Pattern ROW = Pattern.compile("^\\| `(irsa\\.[a-z.-]+)` \\| `([^`]+)` \\| (`[^`]*`|–) \\| (.+) \\|$");

    @Test
    void theTableListsEveryPropertyWithItsTypeAndDefault() throws Exception {
        Path classes = Path.of(IrsaProperties.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, Object> metadata = JsonParserFactory.getJsonParser()
                .parseMap(Files.readString(classes.resolve("META-INF/spring-configuration-metadata.json")));
        Map<String, String> expected = new TreeMap<>();
        for (Object o : (List<?>) metadata.get("properties")) {
            Map<?, ?> p = (Map<?, ?>) o;
            if (IrsaProperties.class.getName().equals(p.get("sourceType"))
                    || String.valueOf(p.get("sourceType")).startsWith(IrsaProperties.class.getName() + "$")) {
                String type = String.valueOf(p.get("type")).replaceAll("java\\.[a-z]+\\.", "").replace("Boolean", "boolean");
                Object dv = p.get("defaultValue");
                expected.put((String) p.get("name"), type + " | " + (dv == null ? "–" : "`" + dv + "`"));
            }
        }
        assertThat(expected).as("the starter's metadata").hasSizeGreaterThan(15);

        Map<String, String> documented = new TreeMap<>();
        for (String line : Files.readAllLines(DocSnippets.projectRoot().resolve("docs/spring-boot.md"))) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                assertThat(m.group(4).strip()).as("meaning of " + m.group(1)).isNotEmpty();
                documented.put(m.group(1), m.group(2) + " | " + m.group(3));
            }
        }
        assertThat(documented).as("docs/spring-boot.md's properties table (property | `type` | `default`)")
                .isEqualTo(expected);
    }
}
