package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.IrsaConfig;
import dev.irsa.testkit.internal.DocSnippets;
import java.nio.file.Path;
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

    @Test
    void theRefreshFloorSnippetTurnsTheFloorOff() {
        IrsaConfig.Builder config = IrsaConfig.builder();
        assertThat(DocsExamples.withoutRefreshFloor(config)).isNotNull();
        assertThat(config.roleArn("arn:aws:iam::123456789012:role/app").tokenFile(Path.of("/token"))
                .region("us-west-2").build().refreshPolicy().minimumRefreshInterval()).isZero();
    }
}
