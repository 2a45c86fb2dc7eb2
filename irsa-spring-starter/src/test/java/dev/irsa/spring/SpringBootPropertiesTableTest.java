package dev.irsa.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.RefreshPolicy;
import dev.irsa.testkit.internal.DocSnippets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/**
 * docs/spring-boot.md's properties table lists exactly the {@code irsa.*} properties of {@link IrsaProperties}, each
 * with its type and default as the configuration metadata (generated from the class at compile time, the same data
 * IDEs complete from) gives them, and a meaning. Its {@code irsa.rds.*} rows are irsa-rds's, checked there against
 * that module's metadata ({@code RdsSpringPropertiesTableTest}).
 */
class SpringBootPropertiesTableTest {
    private static final Pattern ROW = Pattern.compile("^\\| `(irsa\\.[a-z0-9.-]+)` \\| `([^`]+)` \\| (`[^`]*`|–) \\| (.+) \\|$");

    @Test
    void theTableListsEveryPropertyWithItsTypeAndDefault() throws Exception {
        Path classes = Path.of(IrsaProperties.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        // The JSON parser of the AWS SDK's json-utils, which irsa-core already brings.
        JsonNode metadata = JsonNode.parser()
                .parse(Files.readString(classes.resolve("META-INF/spring-configuration-metadata.json")));
        Map<String, String> expected = new TreeMap<>();
        for (JsonNode p : metadata.field("properties").orElseThrow().asArray()) {
            String sourceType = p.field("sourceType").map(JsonNode::text).orElse("");
            if (sourceType.equals(IrsaProperties.class.getName())
                    || sourceType.startsWith(IrsaProperties.class.getName() + "$")) {
                String type = p.field("type").orElseThrow().text().replaceAll("java\\.[a-z]+\\.", "")
                        .replace("Boolean", "boolean");
                String dv = p.field("defaultValue").filter(v -> !v.isNull()).map(JsonNode::text).orElse(null);
                expected.put(p.field("name").orElseThrow().text(), type + " | " + (dv == null ? "–" : "`" + dv + "`"));
            }
        }
        assertThat(expected).as("the starter's metadata").hasSizeGreaterThan(15)
                .containsEntry("irsa.refresh.minimum-interval", "Duration | `60s`");
        assertThat(new IrsaProperties().getRefresh().getMinimumInterval()).as("the starter's default is the library's")
                .isEqualTo(RefreshPolicy.DEFAULT_MINIMUM_REFRESH_INTERVAL);

        Map<String, String> documented = new TreeMap<>();
        // Any row that starts like an irsa.* property but does not parse fails here (it used to be skipped).
        for (List<String> r : DocSnippets.tableRows(DocSnippets.projectRoot().resolve("docs/spring-boot.md"), "| `irsa.", ROW)) {
            if (!r.get(0).startsWith("irsa.rds.")) {
                assertThat(r.get(3).strip()).as("meaning of " + r.get(0)).isNotEmpty();
                documented.put(r.get(0), r.get(1) + " | " + r.get(2));
            }
        }
        assertThat(documented).as("docs/spring-boot.md's properties table (property | `type` | `default`)")
                .isEqualTo(expected);
    }
}
