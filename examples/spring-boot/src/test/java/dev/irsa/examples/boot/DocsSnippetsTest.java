package dev.irsa.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.internal.DocSnippets;
import org.junit.jupiter.api.Test;

/**
 * The Java that README.md and docs/*.md show from this example (the Spring Boot testing recipe,
 * {@link OneIdentityAcrossIntegrationsTest}'s tagged region, in docs/testing.md) is the code compiled and run here.
 */
class DocsSnippetsTest {
    @Test
    void everyBlockShownFromThisExampleIsItsTaggedRegion() {
        assertThat(DocSnippets.assertShownAsWritten(DocSnippets.projectRoot(), "examples/spring-boot")).isPositive();
    }
}
