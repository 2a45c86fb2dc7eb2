package dev.irsa.rds.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.internal.DocSnippets;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/**
 * docs/spring-boot.md lists exactly the {@code irsa.rds.*} properties irsa-rds declares in its configuration metadata
 * (META-INF/additional-spring-configuration-metadata.json, what IDEs complete from), each with that type and default
 * and a meaning, in the same row format as the starter's rows (checked by the starter's SpringBootPropertiesTableTest).
 */
class RdsSpringPropertiesTableTest {
    private static final Pattern ROW = Pattern.compile("^\\| `(irsa\\.[a-z0-9.-]+)` \\| `([^`]+)` \\| (`[^`]*`|–) \\| (.+) \\|$");

    @Test
    void theSpringBootPageListsEveryRdsPropertyWithItsTypeAndDefault() throws Exception {
        String json;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/additional-spring-configuration-metadata.json")) {
            assertThat(in).as("irsa-rds's configuration metadata").isNotNull();
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, String> expected = new TreeMap<>();
        for (JsonNode p : JsonNode.parser().parse(json).field("properties").orElseThrow().asArray()) {
            String type = p.field("type").orElseThrow().text().replaceAll("java\\.[a-z]+\\.", "")
                    .replace("Boolean", "boolean");
            JsonNode dv = p.field("defaultValue").filter(v -> !v.isNull()).orElse(null);
            String shown = dv == null ? "–" : "`" + (dv.isBoolean() ? String.valueOf(dv.asBoolean()) : dv.text()) + "`";
            expected.put(p.field("name").orElseThrow().text(), type + " | " + shown);
        }
        assertThat(expected).as("irsa-rds's metadata").containsKeys("irsa.rds.enabled", "irsa.rds.r2dbc.enabled");

        Map<String, String> documented = new TreeMap<>();
        // Any row that starts like an irsa.* property but does not parse fails here (it used to be skipped).
        for (List<String> r : DocSnippets.tableRows(DocSnippets.projectRoot().resolve("docs/spring-boot.md"), "| `irsa.", ROW)) {
            if (r.get(0).startsWith("irsa.rds.")) {
                assertThat(r.get(3).strip()).as("meaning of " + r.get(0)).isNotEmpty();
                documented.put(r.get(0), r.get(1) + " | " + r.get(2));
            }
        }
        assertThat(documented).as("docs/spring-boot.md's irsa.rds.* rows (property | `type` | `default`)")
                .isEqualTo(expected);
    }
}
