package dev.irsa.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.internal.DocSnippets;
import org.junit.jupiter.api.Test;

/** The Java that docs/*.md show from this module ({@link TestKitBrokerReadmeTest}) is the code compiled and run here. */
class DocsSnippetsTest {
    @Test
    void everyBlockShownFromThisModuleIsItsTaggedRegion() {
        assertThat(DocSnippets.assertShownAsWritten(DocSnippets.projectRoot(), "irsa-kafka")).isPositive();
    }
}
