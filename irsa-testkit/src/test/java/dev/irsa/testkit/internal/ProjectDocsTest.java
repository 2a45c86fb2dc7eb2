package dev.irsa.testkit.internal;

import org.junit.jupiter.api.Test;

/**
 * The project's own pages (README.md, docs/*.md): every Java block is checked against compiled code (or marked a
 * fragment), and every relative link resolves. Each module's {@code DocsSnippetsTest} compares its blocks.
 */
class ProjectDocsTest {
    @Test
    void everyJavaBlockIsTakenFromACheckedSourceOrMarkedAFragment() {
        DocSnippets.assertEveryJavaBlockIsChecked(DocSnippets.projectRoot());
    }

    @Test
    void everyRelativeLinkResolves() {
        DocSnippets.assertRelativeLinksResolve(DocSnippets.projectRoot());
    }
}
