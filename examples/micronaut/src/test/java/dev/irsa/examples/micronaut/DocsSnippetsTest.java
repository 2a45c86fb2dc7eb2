package dev.irsa.examples.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.internal.DocSnippets;
import org.junit.jupiter.api.Test;

/** The Java that docs/micronaut.md shows from this example ({@link ApplicationTest}'s tagged region) is the code run here. */
class DocsSnippetsTest {
    @Test
    void everyBlockShownFromThisExampleIsItsTaggedRegion() {
        assertThat(DocSnippets.assertShownAsWritten(DocSnippets.projectRoot(), "examples/micronaut")).isPositive();
    }
}
