package dev.irsa.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.internal.DocSnippets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Spring Boot testing recipe the docs show is {@link OneIdentityAcrossIntegrationsTest}'s tagged region, wherever
 * the page showing it lives (README.md or a page under docs/).
 */
class RecipeDocsTest {
    private static final String TAG = "spring-boot-test-recipe";

    @Test
    void everyPageShowingTheRecipeShowsTheTestedCode() throws IOException {
        Path root = projectRoot();
        Path source = root.resolve("examples/spring-boot/src/test/java/"
                + OneIdentityAcrossIntegrationsTest.class.getName().replace('.', '/') + ".java");
        List<Path> pages;
        try (Stream<Path> docs = Files.isDirectory(root.resolve("docs")) ? Files.walk(root.resolve("docs")) : Stream.empty()) {
            pages = Stream.concat(Stream.of(root.resolve("README.md")), docs)
                    .filter(p -> p.toString().endsWith(".md") && Files.isRegularFile(p) && shows(p)).toList();
        }
        assertThat(pages).as("pages with 'tag::%s[]'", TAG).isNotEmpty();
        pages.forEach(page -> DocSnippets.assertSame(page, source, TAG));
    }

    private static boolean shows(Path page) {
        try {
            return Files.readString(page).contains("tag::" + TAG + "[]");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path projectRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("examples/spring-boot"))) {
                return dir;
            }
        }
        throw new IllegalStateException("The project's root not found above " + Path.of("").toAbsolutePath());
    }
}
