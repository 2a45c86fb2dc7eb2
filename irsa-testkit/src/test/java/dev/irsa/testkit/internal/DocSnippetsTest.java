package dev.irsa.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocSnippetsTest {
    private static final String SOURCE = """
            class Example {
                // tag::demo[]
                @Test
                void works() {
                    // tag::inner[]
                    call();
                    // end::inner[]
                }
                // end::demo[]
            }
            """;

    @Test
    void aBlockEqualToTheTaggedRegionPassesAndAnyDifferenceFailsNamingTheLine(@TempDir Path dir) throws Exception {
        Path source = Files.writeString(dir.resolve("Example.java"), SOURCE);
        assertThat(DocSnippets.tagged(source, "demo")).containsExactly("@Test", "void works() {", "    call();", "}");
        assertThat(DocSnippets.tagged(source, "inner")).containsExactly("call();");

        Path same = Files.writeString(dir.resolve("same.md"), """
                Text.
                <!-- tag::demo[] -->
                ```java
                @Test
                void works() {
                    call();
                }
                ```
                """);
        DocSnippets.assertSame(same, source, "demo");

        Path drifted = Files.writeString(dir.resolve("drifted.md"), Files.readString(same).replace("call();", "other();"));
        assertThatThrownBy(() -> DocSnippets.assertSame(drifted, source, "demo")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("line 3").hasMessageContaining("other();").hasMessageContaining("call();");
        Path shorter = Files.writeString(dir.resolve("shorter.md"), Files.readString(same).replace("}\n```", "```"));
        assertThatThrownBy(() -> DocSnippets.assertSame(shorter, source, "demo")).hasMessageContaining("<end of block>");
        assertThatThrownBy(() -> DocSnippets.assertSame(same, source, "missing")).hasMessageContaining("tag::missing[]");
    }

    @Test
    void aProjectsPagesAreCheckedBlockByBlockAndLinkByLink(@TempDir Path root) throws Exception {
        Path tests = Files.createDirectories(root.resolve("mod/src/test/java/x"));
        Files.createDirectories(root.resolve("docs"));
        Files.createDirectories(root.resolve("irsa-testkit"));
        Files.writeString(tests.resolve("Example.java"), SOURCE);
        Files.writeString(tests.resolve("DocsSnippetsTest.java"), "class DocsSnippetsTest {}");
        String block = "<!-- tag::inner[] (mod/src/test/java/x/Example.java) -->\n```java\ncall();\n```\n";
        Files.writeString(root.resolve("README.md"), "# Top\n\nSee [the page](docs/page.md#a-heading) and [top](#top).\n\n"
                + block);
        Path page = Files.writeString(root.resolve("docs/page.md"), "# A `heading`\n\n[back](../README.md)\n\n"
                + block + "\n<!-- fragment: a sketch -->\n```java\nfoo(...);\n```\n");

        assertThat(DocSnippets.pages(root)).containsExactly(root.resolve("README.md"), page);
        assertThat(DocSnippets.assertShownAsWritten(root, "mod")).isEqualTo(2);
        DocSnippets.assertEveryJavaBlockIsChecked(root);
        DocSnippets.assertRelativeLinksResolve(root);
        assertThatThrownBy(() -> DocSnippets.assertShownAsWritten(root, "other")).hasMessageContaining("No page shows");

        // A block edited on the page: the module's check fails, naming the page and line.
        Files.writeString(page, Files.readString(page).replaceFirst("call\\(\\);", "call(1);"));
        assertThatThrownBy(() -> DocSnippets.assertShownAsWritten(root, "mod")).hasMessageContaining("docs/page.md:5")
                .hasMessageContaining("call(1);");

        // A Java block with no marker, a marker naming a missing region or a module without DocsSnippetsTest.
        Files.writeString(page, "```java\nx();\n```\n<!-- tag::nope[] (mod/src/test/java/x/Example.java) -->\n```java\n```\n");
        assertThatThrownBy(() -> DocSnippets.assertEveryJavaBlockIsChecked(root))
                .hasMessageContaining("docs/page.md:1: a ```java block with neither")
                .hasMessageContaining("has no '// tag::nope[]'");
        Files.delete(tests.resolve("DocsSnippetsTest.java"));
        assertThatThrownBy(() -> DocSnippets.assertEveryJavaBlockIsChecked(root)).hasMessageContaining("README.md:6")
                .hasMessageContaining("has no DocsSnippetsTest");

        // Links to a missing file or heading; links in code are not links.
        Files.writeString(page, "# Only\n[x](missing.md) [y](../README.md#nowhere) `[z](gone.md)`\n```\n[w](gone.md)\n```\n");
        assertThatThrownBy(() -> DocSnippets.assertRelativeLinksResolve(root))
                .hasMessageContaining("docs/page.md:2: missing.md: no such file")
                .hasMessageContaining("docs/page.md:2: ../README.md#nowhere: no heading")
                .hasMessageNotContaining("gone.md")
                .hasMessageContaining("docs/page.md#a-heading: no heading");
    }
}
