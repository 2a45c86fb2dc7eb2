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
 * names the source that holds the region (one path, normalised once: {@link Shown#source()});
 * {@link #assertEveryShownBlockAsWritten} compares every such block with its region as text (the project-wide check,
 * run by the test kit's own {@code ProjectDocsTest}), {@link #assertShownAsWritten} the blocks whose source lies in
 * one module (each module's {@code DocsSnippetsTest} calls it, so the region is also compiled and run with that
 * module's class path), {@link #assertEveryJavaBlockIsChecked} that no Java block escapes (any fence, any case; a
 * block that is not Java-complete says so with {@code <!-- fragment: why -->} above it), and
 * {@link #assertRelativeLinksResolve} that links between pages, files and headings resolve.
 */
public final class DocSnippets {
    /** {@code <!-- tag::NAME[] (PATH) -->}: a block shown from the region NAME of the source file PATH. */
    private static final Pattern MARKER = Pattern.compile("<!--\\s*tag::([\\w.-]+)\\[]\\s*\\(([^)\\s;]+)[^)]*\\)\\s*-->");
    /** {@code <!-- fragment: why -->}: a block that is not Java-complete, on purpose. */
    private static final Pattern FRAGMENT = Pattern.compile("<!--\\s*fragment:\\s*\\S.*-->");
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

    private DocSnippets() {
    }

    /**
     * A marker on a page: the block after line {@code line} of {@code page} shows region {@code name} of
     * {@code source}, a path relative to the project's root, normalised ({@code ./} and {@code ..} resolved, {@code /}
     * separators) so that every check sees the same path however the page spells it.
     */
    public record Shown(Path page, int line, String name, String source) {
    }

    /**
     * A fenced code block of a page: the lines {@code open} (the opening fence) to {@code close} (the closing fence,
     * or the page's last line if it is never closed), 0-based, and {@code language}, the first word of the info
     * string in lower case ({@code ```Java title=X}, {@code ````java} and {@code ~~~java} are all {@code java}).
     */
    public record Fence(int open, int close, String language) {
    }

    /** An opening or closing fence: 3 or more backticks or tildes, then an info string (CommonMark). */
    private static final Pattern FENCE = Pattern.compile("^\\s*(`{3,}|~{3,})\\s*(.*)$");

    /** The fenced code blocks of {@code lines}, in order (indented fences, as in list items, count). */
    public static List<Fence> fences(List<String> lines) {
        List<Fence> fences = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches() || open.group(1).charAt(0) == '`' && open.group(2).contains("`")) {
                continue;
            }
            String fence = open.group(1);
            int close = lines.size() - 1;
            for (int j = i + 1; j < lines.size(); j++) {
                Matcher m = FENCE.matcher(lines.get(j));
                if (m.matches() && m.group(2).isBlank() && m.group(1).charAt(0) == fence.charAt(0)
                        && m.group(1).length() >= fence.length()) {
                    close = j;
                    break;
                }
            }
            String info = open.group(2).strip();
            String language = info.isEmpty() ? "" : info.split("[\\s{,]", 2)[0].toLowerCase(Locale.ROOT);
            fences.add(new Fence(i, close, language));
            i = close;
        }
        return fences;
    }

    /**
     * {@code path} relative to {@code root}, normalised, with {@code /} separators: {@code ./irsa-rds/src/X.java}
     * and {@code irsa-rds/../irsa-rds/src/X.java} are both {@code irsa-rds/src/X.java}. A path that leaves the root
     * keeps its leading {@code ..}.
     */
    static String normalise(Path root, String path) {
        Path abs = root.toAbsolutePath().normalize();
        return abs.relativize(abs.resolve(path).normalize()).toString().replace('\\', '/');
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
                    all.add(new Shown(page, i + 1, m.group(1), normalise(root, m.group(2))));
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
        String prefix = normalise(root, module) + "/";
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
     * Fails, listing each, unless every Java block on the project's pages (a fence of backticks or tildes, any length,
     * whose info string starts with {@code java} in any case) is preceded (blank lines aside) by a {@code tag::}
     * marker whose source exists, has the region and lies in a module with a {@code DocsSnippetsTest}, or by a
     * {@code <!-- fragment: why -->} line.
     */
    public static void assertEveryJavaBlockIsChecked(Path root) {
        List<String> problems = new ArrayList<>();
        for (Path page : pages(root)) {
            List<String> lines = read(page);
            for (Fence f : fences(lines)) {
                if (!f.language().equals("java")) {
                    continue;
                }
                String where = root.relativize(page) + ":" + (f.open() + 1);
                int above = f.open() - 1;
                while (above >= 0 && lines.get(above).isBlank()) {
                    above--;
                }
                String marker = above < 0 ? "" : lines.get(above);
                if (FRAGMENT.matcher(marker).find()) {
                    continue;
                }
                Matcher m = MARKER.matcher(marker);
                if (!m.find()) {
                    problems.add(where + ": a Java block (" + lines.get(f.open()).strip() + ") with neither"
                            + " '<!-- tag::NAME[] (module/src/.../X.java) -->' nor '<!-- fragment: why -->' on the line"
                            + " above it");
                    continue;
                }
                String source = normalise(root, m.group(2));
                int src = source.indexOf("/src/");
                if (source.startsWith("../") || src < 0 || !Files.isRegularFile(root.resolve(source))) {
                    problems.add(where + ": " + m.group(2) + " is not a source file of a module");
                    continue;
                }
                if (read(root.resolve(source)).stream().noneMatch(l -> l.strip().equals("// tag::" + m.group(1) + "[]"))) {
                    problems.add(where + ": " + source + " has no '// tag::" + m.group(1) + "[]'");
                }
                Path tests = root.resolve(source.substring(0, src)).resolve("src/test/java");
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
     * Compares the block after every {@code tag::NAME[] (PATH)} marker on the project's pages with its region, as
     * text (no class path needed, so no module filter can skip it), and returns how many there were. The modules'
     * {@code DocsSnippetsTest}s add that the region compiles and runs.
     *
     * @throws AssertionError listing every marker whose source or region is missing, whose block does not follow it
     *     (blank lines aside), or whose block differs from its region
     */
    public static int assertEveryShownBlockAsWritten(Path root) {
        List<String> problems = new ArrayList<>();
        List<Shown> all = shown(root);
        for (Shown s : all) {
            String where = root.relativize(s.page()) + ":" + s.line() + ": ";
            Path source = root.resolve(s.source());
            if (s.source().startsWith("../") || !Files.isRegularFile(source)) {
                problems.add(where + s.source() + " is not a file of the project");
                continue;
            }
            try {
                assertSameAfter(s.page(), s.line(), source, s.name());
            } catch (AssertionError e) {
                problems.add(where + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("Docs that differ from their code:\n  " + String.join("\n  ", problems));
        }
        return all.size();
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
            boolean[] code = inFences(lines);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (code[i]) {
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

    /**
     * The rows of a table on {@code page} whose lines start with {@code start} (such as {@code | `irsa.}), each as
     * {@code row}'s groups 1 to n. A row that starts so but does not match {@code row} is not skipped.
     *
     * @throws AssertionError listing, by line, every row that starts with {@code start} but does not match {@code row}
     */
    public static List<List<String>> tableRows(Path page, String start, Pattern row) {
        List<List<String>> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> lines = read(page);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.startsWith(start)) {
                continue;
            }
            Matcher m = row.matcher(line);
            if (!m.matches()) {
                problems.add(page.getFileName() + ":" + (i + 1) + ": " + line);
                continue;
            }
            List<String> groups = new ArrayList<>();
            for (int g = 1; g <= m.groupCount(); g++) {
                groups.add(m.group(g));
            }
            rows.add(groups);
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("Rows starting with '" + start + "' not in the form " + row.pattern()
                    + " (property names are lower case, digits, '.' and '-'; type and default in backticks, '–' for"
                    + " none; a meaning):\n  " + String.join("\n  ", problems));
        }
        return rows;
    }

    /** The anchors GitHub gives a page's headings (lower case, punctuation dropped, spaces to dashes). */
    static Set<String> anchors(Path markdown) {
        Set<String> anchors = new HashSet<>();
        List<String> lines = read(markdown);
        boolean[] code = inFences(lines);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!code[i] && line.startsWith("#")) {
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

    /** For each line, whether it belongs to a fenced block (its fences included). */
    private static boolean[] inFences(List<String> lines) {
        boolean[] code = new boolean[lines.size()];
        for (Fence f : fences(lines)) {
            for (int i = f.open(); i <= f.close(); i++) {
                code[i] = true;
            }
        }
        return code;
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
        int next = marker + 1;
        while (next < lines.size() && lines.get(next).isBlank()) {
            next++;
        }
        for (Fence f : fences(lines)) {
            if (f.open() == next && f.close() > f.open() && FENCE.matcher(lines.get(f.close())).matches()) {
                String opening = lines.get(f.open());
                int indent = opening.length() - opening.stripLeading().length();   // a block in a list item
                return lines.subList(f.open() + 1, f.close()).stream().map(String::stripTrailing)
                        .map(l -> l.substring(Math.min(indent, l.length() - l.stripLeading().length()))).toList();
            }
        }
        throw new AssertionError(markdown + " has no complete fenced block right after 'tag::" + name + "[]' (line "
                + (marker + 1) + ")");
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
