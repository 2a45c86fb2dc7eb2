package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.internal.DocSnippets;
import org.junit.jupiter.api.Test;

/**
 * The Java that README.md and docs/*.md show from this module's test sources ({@link ReadmeJUnitExampleTest},
 * {@link DocsExamples}) is the code this module compiles (and, for the JUnit example, runs).
 */
class DocsSnippetsTest {
    @Test
    void everyBlockShownFromThisModuleIsItsTaggedRegion() {
        assertThat(DocSnippets.assertShownAsWritten(DocSnippets.projectRoot(), "irsa-sdk-v2-adapter")).isPositive();
    }
}
