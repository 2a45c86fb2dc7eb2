package dev.irsa.sdk;

import dev.irsa.testkit.internal.DocSnippets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The code README.md shows is the code these tests compile and run. */
class ReadmeSnippetsTest {
    private static final Path README = readme();

    private static Path readme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("irsa-sdk-v2-adapter"))) {
                return dir.resolve("README.md");
            }
        }
        throw new IllegalStateException("README.md of the project not found above " + Path.of("").toAbsolutePath());
    }

    private static Path testSource(Class<?> test) {
        return README.resolveSibling("irsa-sdk-v2-adapter/src/test/java/" + test.getName().replace('.', '/') + ".java");
    }

    @Test
    void theTestKitsJUnitExampleIsReadmeJUnitExampleTest() {
        DocSnippets.assertSame(README, testSource(ReadmeJUnitExampleTest.class), "junit");
    }
}
