package dev.irsa.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.internal.DocSnippets;
import org.junit.jupiter.api.Test;

/**
 * The Java that docs/micronaut.md shows from this module's test sources ({@link S3WithOwnCredentials}, run by
 * {@link ClientBuilderListenerOrderTest}; {@link ConditionalUserCredentialsFactory}, run by
 * {@link ConditionalUserProviderTest}) is the code this module compiles.
 */
class DocsSnippetsTest {
    @Test
    void everyBlockShownFromThisModuleIsItsTaggedRegion() {
        assertThat(DocSnippets.assertShownAsWritten(DocSnippets.projectRoot(), "irsa-micronaut")).isPositive();
    }
}
