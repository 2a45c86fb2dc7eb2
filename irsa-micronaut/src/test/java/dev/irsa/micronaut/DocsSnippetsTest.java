package dev.irsa.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.internal.DocSnippets;
import org.junit.jupiter.api.Test;

/**
 * The Java docs/micronaut.md shows from this module ({@link ConditionalUserCredentialsFactory}, exercised by
 * {@link ConditionalUserProviderTest}) is the code compiled and run here.
 */
class DocsSnippetsTest {
    @Test
    void everyBlockShownFromThisModuleIsItsTaggedRegion() {
        assertThat(DocSnippets.assertShownAsWritten(DocSnippets.projectRoot(), "irsa-micronaut")).isPositive();
    }
}
