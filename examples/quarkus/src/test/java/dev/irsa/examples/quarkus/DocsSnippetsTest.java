package dev.irsa.examples.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.internal.DocSnippets;
import org.junit.jupiter.api.Test;

/**
 * The Java docs/quarkus.md and docs/testing.md show from this example ({@link AwsClients}, {@link IdentityResourceTest},
 * {@link IrsaWithS3Resource}) is the code compiled and run here.
 */
class DocsSnippetsTest {
    @Test
    void everyBlockShownFromThisModuleIsItsTaggedRegion() {
        assertThat(DocSnippets.assertShownAsWritten(DocSnippets.projectRoot(), "examples/quarkus")).isPositive();
    }
}
