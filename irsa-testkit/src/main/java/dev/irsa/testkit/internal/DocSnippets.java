package dev.irsa.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Keeps code shown in documentation compiled and run: the code lives in a test source between {@code // tag::NAME[]}
 * and {@code // end::NAME[]} lines, and the Markdown page shows it in the fenced block that follows a line containing
 * {@code tag::NAME[]} (an HTML comment, invisible once rendered). A test calls {@link #assertSame} so that the page
 * cannot drift from the code. For this project's own tests; no compatibility promise.
 *
 * <p>Across the project's pages (README.md and docs/*.md): a marker {@code <!-- tag::NAME[] (module/src/.../X.java) -->}
 * names the source that holds the region; {@link #assertShownAsWritten} checks every block whose source lies in one
 * module (each module's {@code DocsSnippetsTest} calls it, so the region is compiled with that module's class path),
 * {@link #assertEveryJavaBlockIsChecked} that no {@code ```java} block escapes (a block that is not Java-complete says
 * so with {@code <!-- fragment: why -->} above it), and {@link #assertRelativeLinksResolve} that links between pages,
 * files and headings resolve.
 */
public final class DocSnippets {
    /** {@code <!-- tag::NAME[] (PATH) -->}: a block shown from the region NAME of the source file PATH. */
    private static final Pattern MARKER = Pattern.compile("<!--\\s*tag::([\\w.-]+)\\[]\\s*\\(([^)\\s;]+)[^)]*\\)\\s*-->");
    /** {@code <!-- fragment: why -->}: a block that is not Java-complete, on purpose. */
    private static final Pattern FRAGMENT = Pattern.compile("<!--\\s*fragment:\\s*\\S.*-->");
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

    private DocSnippets() {
    }

    /** A marker on a page: the block after line {@code line} of {@code page} shows region {@code name} of {@code source}. */
    public record Shown(Path page, int line, String name, String source) {
    }

    /**
     * The project's root: the nearest directory at or above the working directory with README.md, docs/ and
     * irsa-testkit/.
     */
    public static Path projectRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs"))
                    && Files.isDirectory(dir.resolve("irsa-testkit"))) {
                return dir;
            }
        }
        throw new IllegalStateException("The project's root (README.md, docs/, irsa-testkit/) was not found above "
                + Path.of("").toAbsolutePath());
    }

    /** README.md and docs/*.md (not below docs/), in name order. */
    public static List<Path> pages(Path root) {
        List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md") && Files.isRegularFile(p)).sorted()
                    .forEach(pages::add);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + root.resolve("docs"), e);
        }
        return pages;
    }

    /** Every {@code tag::NAME[] (PATH)} marker on the project's pages. */
    public static List<Shown> shown(Path root) {
        List<Shown> all = new ArrayList<>();
        for (Path page : pages(root)) {
            List<String> lines = read(page);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = MARKER.matcher(lines.get(i));
                if (m.find()) {
                    all.add(new Shown(page, i + 1, m.group(1), m.group(2)));
                }
            }
        }
        return all;
    }

    /**
     * Checks every block shown from a source under {@code module} (a directory relative to {@code root}, such as
     * {@code irsa-rds} or {@code examples/library-author}) against its region, and returns how many there were.
     *
     * @throws AssertionError naming the page and line of the first block that differs, or if there is none at all
     */
    public static int assertShownAsWritten(Path root, String module) {
        String prefix = module.endsWith("/") ? module : module + "/";
        int n = 0;
        for (Shown s : shown(root)) {
            if (s.source().startsWith(prefix)) {
                try {
                    assertSameAfter(s.page(), s.line(), root.resolve(s.source()), s.name());
                } catch (AssertionError e) {
                    throw new AssertionError(root.relativize(s.page()) + ":" + s.line() + ": " + e.getMessage(), e);
                }
                n++;
            }
        }
        if (n == 0) {
            throw new AssertionError("No page shows a region of " + module + ": remove its DocsSnippetsTest or show one");
        }
        return n;
    }

    /**
     * Fails, listing each, unless every {@code ```java} block on the project's pages is preceded (blank lines
     * aside) by a {@code tag::} marker whose source exists, has the region and lies in a module with a
     * {@code DocsSnippetsTest}, or by a {@code <!-- fragment: why -->} line.
     */
    public static void assertEveryJavaBlockIsChecked(Path root) {
        List<String> problems = new ArrayList<>();
        for (Path page : pages(root)) {
            List<String> lines = read(page);
            boolean inFence = false;
            for (int i = 0; i < lines.size(); i++) {
                String t = lines.get(i).strip();
                if (!t.startsWith("```")) {
                    continue;
                }
                if (inFence) {
                    inFence = false;
                    continue;
                }
                inFence = true;
                if (!t.equals("```java")) {
                    continue;
                }
                String where = root.relativize(page) + ":" + (i + 1);
                int above = i - 1;
                while (above >= 0 && lines.get(above).isBlank()) {
                    above--;
                }
                String marker = above < 0 ? "" : lines.get(above);
                Matcher m = MARKER.matcher(marker);
                if (FRAGMENT.matcher(marker).find()) {
                    continue;
                }
                if (!m.find()) {
                    problems.add(where + ": a ```java block with neither '<!-- tag::NAME[] (module/src/.../X.java) -->'"
                            + " nor '<!-- fragment: why -->' on the line above it");
                    continue;
                }
                Path source = root.resolve(m.group(2)).normalize();
                int src = m.group(2).indexOf("/src/");
                if (!Files.isRegularFile(source) || src < 0) {
                    problems.add(where + ": " + m.group(2) + " is not a source file of a module");
                    continue;
                }
                if (read(source).stream().noneMatch(l -> l.strip().equals("// tag::" + m.group(1) + "[]"))) {
                    problems.add(where + ": " + m.group(2) + " has no '// tag::" + m.group(1) + "[]'");
                }
                Path tests = root.resolve(m.group(2).substring(0, src)).resolve("src/test/java");
                if (!hasFile(tests, "DocsSnippetsTest.java")) {
                    problems.add(where + ": " + root.relativize(tests) + " has no DocsSnippetsTest calling assertShownAsWritten");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("Unchecked Java in the docs:\n  " + String.join("\n  ", problems));
        }
    }

    /**
     * Fails, listing each, unless every relative Markdown link on the project's pages resolves: to an existing file
     * or directory, and for {@code #anchor} (alone or after a {@code .md} file) to one of that page's headings, named
     * as GitHub names them. Links inside code are ignored.
     */
    public static void assertRelativeLinksResolve(Path root) {
        List<String> problems = new ArrayList<>();
        for (Path page : pages(root)) {
            List<String> lines = read(page);
            boolean inFence = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.strip().startsWith("```")) {
                    inFence = !inFence;
                    continue;
                }
                if (inFence) {
                    continue;
                }
                Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", "``"));
                while (m.find()) {
                    String target = m.group(1);
                    if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                        continue;   // https:, mailto: ...
                    }
                    int hash = target.indexOf('#');
                    String file = hash < 0 ? target : target.substring(0, hash);
                    String anchor = hash < 0 ? null : target.substring(hash + 1);
                    Path to = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                    String where = root.relativize(page) + ":" + (i + 1) + ": " + target;
                    if (!Files.exists(to)) {
                        problems.add(where + ": no such file");
                    } else if (anchor != null && to.toString().endsWith(".md") && !anchors(to).contains(anchor)) {
                        problems.add(where + ": no heading with that anchor in " + to.getFileName());
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("Broken links:\n  " + String.join("\n  ", problems));
        }
    }

    /** The anchors GitHub gives a page's headings (lower case, punctuation dropped, spaces to dashes). */
    static Set<String> anchors(Path markdown) {
        Set<String> anchors = new HashSet<>();
        boolean inFence = false;
        for (String line : read(markdown)) {
            if (line.strip().startsWith("```")) {
                inFence = !inFence;
            } else if (!inFence && line.startsWith("#")) {
                String text = line.replaceFirst("^#+\\s*", "").strip();
                String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
                String unique = slug;
                for (int n = 1; !anchors.add(unique); n++) {
                    unique = slug + "-" + n;
                }
            }
        }
        return anchors;
    }

    private static boolean hasFile(Path dir, String name) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().equals(name));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + dir, e);
        }
    }

    /**
     * The lines between {@code // tag::NAME[]} and {@code // end::NAME[]} in {@code source}, with their common
     * indentation removed and other tags' marker lines left out.
     *
     * @throws AssertionError if the tag is missing or not closed
     */
    public static List<String> tagged(Path source, String name) {
        List<String> lines = read(source);
        int start = indexOf(lines, "// tag::" + name + "[]", 0);
        int end = indexOf(lines, "// end::" + name + "[]", start + 1);
        if (start < 0 || end < 0) {
            throw new AssertionError(source + " has no region between '// tag::" + name + "[]' and '// end::" + name
                    + "[]'");
        }
        List<String> body = new ArrayList<>();
        for (String line : lines.subList(start + 1, end)) {
            String t = line.strip();
            if (!t.startsWith("// tag::") && !t.startsWith("// end::")) {
                body.add(line.stripTrailing());
            }
        }
        int indent = body.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        return body.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList();
    }

    /**
     * The body of the first fenced code block after the first line of {@code markdown} that contains
     * {@code tag::NAME[]}.
     *
     * @throws AssertionError if there is no such marker or block
     */
    public static List<String> fenced(Path markdown, String name) {
        return fenced(markdown, 0, name);
    }

    private static List<String> fenced(Path markdown, int fromLine, String name) {
        List<String> lines = read(markdown);
        int marker = -1;
        for (int i = Math.max(0, fromLine - 1); i < lines.size() && marker < 0; i++) {
            if (lines.get(i).contains("tag::" + name + "[]")) {
                marker = i;
            }
        }
        if (marker < 0) {
            throw new AssertionError(markdown + " has no line with 'tag::" + name + "[]' before the block showing it");
        }
        int open = -1;
        for (int i = marker + 1; i < lines.size() && open < 0; i++) {
            if (lines.get(i).strip().startsWith("```")) {
                open = i;
            }
        }
        int close = open < 0 ? -1 : indexOf(lines, "```", open + 1);
        if (close < 0) {
            throw new AssertionError(markdown + " has no complete fenced block after 'tag::" + name + "[]'");
        }
        return lines.subList(open + 1, close).stream().map(String::stripTrailing).toList();
    }

    /**
     * Fails, naming the first line that differs, unless the block {@code markdown} shows for {@code name} is exactly
     * the region tagged {@code name} in {@code source}.
     */
    public static void assertSame(Path markdown, Path source, String name) {
        assertSameAfter(markdown, 0, source, name);
    }

    private static void assertSameAfter(Path markdown, int fromLine, Path source, String name) {
        List<String> shown = fenced(markdown, fromLine, name);
        List<String> code = tagged(source, name);
        for (int i = 0; i < Math.max(shown.size(), code.size()); i++) {
            String s = i < shown.size() ? shown.get(i) : "<end of block>";
            String c = i < code.size() ? code.get(i) : "<end of region>";
            if (!s.equals(c)) {
                throw new AssertionError(markdown.getFileName() + "'s block 'tag::" + name + "[]' differs from "
                        + source.getFileName() + " at its line " + (i + 1) + ":\n  shown: " + s + "\n  code:  " + c
                        + "\nCopy the tagged region of " + source + " into the block (common indentation removed).");
            }
        }
    }

    private static int indexOf(List<String> lines, String stripped, int from) {
        for (int i = Math.max(0, from); i < lines.size(); i++) {
            if (lines.get(i).strip().equals(stripped)) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }
}
