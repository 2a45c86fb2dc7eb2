package dev.irsa.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
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
                .hasMessageContaining("docs/page.md:1: a Java block (```java) with neither")
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

    @Test
    void aMarkersPathIsNormalisedOnceSoEveryCheckSeesTheSameSource(@TempDir Path root) throws Exception {
        Path tests = project(root);
        Files.writeString(root.resolve("README.md"), "# Top\n\n<!-- tag::inner[] (./mod/src/test/java/x/Example.java) -->\n"
                + "```java\ncall();\n```\n\n<!-- tag::inner[] (mod/../mod/src/test/java/x/Example.java) -->\n"
                + "```java\ncall();\n```\n");

        assertThat(DocSnippets.shown(root)).extracting(DocSnippets.Shown::source)
                .containsExactly("mod/src/test/java/x/Example.java", "mod/src/test/java/x/Example.java");
        assertThat(DocSnippets.assertShownAsWritten(root, "mod")).isEqualTo(2);
        assertThat(DocSnippets.assertShownAsWritten(root, "./mod")).isEqualTo(2);
        DocSnippets.assertEveryJavaBlockIsChecked(root);

        // Drifted under the unusual spelling: the module's check sees it too.
        Files.writeString(root.resolve("README.md"), Files.readString(root.resolve("README.md")).replaceFirst("call", "other"));
        assertThatThrownBy(() -> DocSnippets.assertShownAsWritten(root, "mod")).hasMessageContaining("README.md:3")
                .hasMessageContaining("other();");
        assertThat(tests).exists();
    }

    @Test
    void everyJavaFenceIsPolicedWhateverItsCaseLengthInfoOrCharacter(@TempDir Path root) throws Exception {
        project(root);
        Files.writeString(root.resolve("README.md"), """
                # Top

                ```Java
                a();
                ```

                ````java
                b();
                ````

                ```java title="C.java"
                c();
                ```

                ~~~java
                d();
                ~~~

                  ```JAVA
                  e();
                  ```

                ```properties
                not.java=1
                ```
                """);
        assertThatThrownBy(() -> DocSnippets.assertEveryJavaBlockIsChecked(root))
                .hasMessageContaining("README.md:3: a Java block (```Java)")
                .hasMessageContaining("README.md:7: a Java block (````java)")
                .hasMessageContaining("README.md:11: a Java block (```java title=\"C.java\")")
                .hasMessageContaining("README.md:15: a Java block (~~~java)")
                .hasMessageContaining("README.md:19: a Java block (```JAVA)")
                .hasMessageNotContaining("README.md:23");

        // A longer fence holds a shorter one; a ~~~ block is closed only by ~~~.
        assertThat(DocSnippets.fences(List.of("````md", "```java", "x", "```", "````", "~~~java", "```", "~~~")))
                .containsExactly(new DocSnippets.Fence(0, 4, "md"), new DocSnippets.Fence(5, 7, "java"));
    }

    @Test
    void theProjectWideCheckComparesEveryMarkedBlockWithoutAClassPath(@TempDir Path root) throws Exception {
        Path tests = project(root);
        Files.writeString(tests.resolve("Other.java"), "class Other {\n    // tag::props[]\n    // a=1\n    // end::props[]\n}\n");
        String page = "# Top\n\n<!-- tag::inner[] (mod/src/test/java/x/Example.java) -->\n~~~Java\ncall();\n~~~\n\n"
                + "<!-- tag::props[] (mod/src/test/java/x/Other.java) -->\n```\n// a=1\n```\n";
        Files.writeString(root.resolve("README.md"), page);
        assertThat(DocSnippets.assertEveryShownBlockAsWritten(root)).isEqualTo(2);

        // Every kind of drift, all listed at once: a changed line, a missing source, a missing region, no block.
        Files.writeString(root.resolve("README.md"), page.replace("call();", "call(2);")
                + "\n<!-- tag::inner[] (mod/src/test/java/x/Gone.java) -->\n```java\n```\n"
                + "\n<!-- tag::absent[] (./mod/src/test/java/x/Example.java) -->\n```java\n```\n"
                + "\n<!-- tag::inner[] (mod/src/test/java/x/Example.java) -->\nText first.\n```java\ncall();\n```\n");
        assertThatThrownBy(() -> DocSnippets.assertEveryShownBlockAsWritten(root))
                .hasMessageContaining("README.md:3: README.md's block 'tag::inner[]' differs")
                .hasMessageContaining("call(2);")
                .hasMessageContaining("README.md:13: mod/src/test/java/x/Gone.java is not a file of the project")
                .hasMessageContaining("README.md:17: ").hasMessageContaining("'// tag::absent[]'")
                .hasMessageContaining("README.md:21: ").hasMessageContaining("no complete fenced block right after")
                .hasMessageNotContaining("README.md:8");
    }

    @Test
    void aTableRowThatStartsLikeAPropertyButDoesNotParseIsRefusedNotSkipped(@TempDir Path dir) throws Exception {
        Pattern row = Pattern.compile("^\\| `(irsa\\.[a-z0-9.-]+)` \\| `([^`]+)` \\| (`[^`]*`|–) \\| (.+) \\|$");
        Path page = Files.writeString(dir.resolve("page.md"), """
                | property | type | default | meaning |
                | --- | --- | --- | --- |
                | `irsa.enabled` | `boolean` | `true` | on |
                | `irsa.role-arn` | `String` | – | the role |
                """);
        assertThat(DocSnippets.tableRows(page, "| `irsa.", row)).containsExactly(
                List.of("irsa.enabled", "boolean", "`true`", "on"),
                List.of("irsa.role-arn", "String", "–", "the role"));

        Files.writeString(page, Files.readString(page) + "| `irsa.refresh.minimumInterval` | `Duration` | `60s` | floor |\n"
                + "| `irsa.region` | String | – | no backticks |\n");
        assertThatThrownBy(() -> DocSnippets.tableRows(page, "| `irsa.", row))
                .hasMessageContaining("page.md:5: | `irsa.refresh.minimumInterval`")
                .hasMessageContaining("page.md:6: | `irsa.region` | String");
    }

    /** A project root with one module, mod, whose test sources hold Example.java and a DocsSnippetsTest. */
    private static Path project(Path root) throws Exception {
        Path tests = Files.createDirectories(root.resolve("mod/src/test/java/x"));
        Files.createDirectories(root.resolve("docs"));
        Files.createDirectories(root.resolve("irsa-testkit"));
        Files.writeString(tests.resolve("Example.java"), SOURCE);
        Files.writeString(tests.resolve("DocsSnippetsTest.java"), "class DocsSnippetsTest {}");
        return tests;
    }
}
