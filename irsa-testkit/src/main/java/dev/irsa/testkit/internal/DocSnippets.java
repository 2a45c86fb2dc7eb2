package dev.irsa.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps code shown in documentation compiled and run: the code lives in a test source between {@code // tag::NAME[]}
 * and {@code // end::NAME[]} lines, and the Markdown page shows it in the fenced block that follows a line containing
 * {@code tag::NAME[]} (an HTML comment, invisible once rendered). A test calls {@link #assertSame} so that the page
 * cannot drift from the code. For this project's own tests; no compatibility promise.
 */
public final class DocSnippets {
    private DocSnippets() {
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
        List<String> lines = read(markdown);
        int marker = -1;
        for (int i = 0; i < lines.size() && marker < 0; i++) {
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
        List<String> shown = fenced(markdown, name);
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
