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
}
