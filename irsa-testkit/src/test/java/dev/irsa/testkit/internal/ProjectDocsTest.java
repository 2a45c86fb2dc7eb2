package dev.irsa.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The project's own pages (README.md, docs/*.md): every block a {@code tag::} marker shows is its region's text (here,
 * with no class path, so no module filter or {@code -Dtest} leg skips it), every Java block is taken from compiled
 * code (or marked a fragment), and every relative link resolves. Each module's {@code DocsSnippetsTest} adds that its
 * regions compile and run.
 */
class ProjectDocsTest {
    @Test
    void everyMarkedBlockIsItsRegionAsWritten() {
        assertThat(DocSnippets.assertEveryShownBlockAsWritten(DocSnippets.projectRoot())).isPositive();
    }

    @Test
    void everyJavaBlockIsTakenFromACheckedSourceOrMarkedAFragment() {
        DocSnippets.assertEveryJavaBlockIsChecked(DocSnippets.projectRoot());
    }

    @Test
    void everyRelativeLinkResolves() {
        DocSnippets.assertRelativeLinksResolve(DocSnippets.projectRoot());
    }
}
