package dev.irsa.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.internal.DocSnippets;
import org.junit.jupiter.api.Test;

/**
<<<<<<< HEAD
 * The Java that docs/micronaut.md shows from this module's test sources ({@link S3WithOwnCredentials}, run by
 * {@link ClientBuilderListenerOrderTest}) is the code this module compiles.
=======
 * The Java docs/micronaut.md shows from this module ({@link ConditionalUserCredentialsFactory}, exercised by
 * {@link ConditionalUserProviderTest}) is the code compiled and run here.
>>>>>>> wt/fixes
 */
class DocsSnippetsTest {
    @Test
    void everyBlockShownFromThisModuleIsItsTaggedRegion() {
        assertThat(DocSnippets.assertShownAsWritten(DocSnippets.projectRoot(), "irsa-micronaut")).isPositive();
    }
}
