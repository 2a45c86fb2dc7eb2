package dev.irsa.examples.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.internal.DocSnippets;
import org.junit.jupiter.api.Test;

/** The Java that README.md and docs/library-authors.md show from this example is the code compiled (and tested) here. */
class DocsSnippetsTest {
    @Test
    void everyBlockShownFromThisExampleIsItsTaggedRegion() {
        assertThat(DocSnippets.assertShownAsWritten(DocSnippets.projectRoot(), "examples/library-author")).isPositive();
    }
}
