package dev.irsa.cli;

import java.io.PrintWriter;

/** Where the CLI writes, and whether it may use colour and progress (only on an interactive terminal). */
final class Terminal {
    private final PrintWriter out;
    private final boolean interactive;
    private final boolean color;

    Terminal(PrintWriter out, boolean interactive, boolean color) {
        this.out = out;
        this.interactive = interactive;
        this.color = color;
    }

    PrintWriter out() {
        return out;
    }

    boolean interactive() {
        return interactive;
    }

    String bold(String s) {
        return style("1", s);
    }

    String green(String s) {
        return style("32", s);
    }

    String red(String s) {
        return style("31", s);
    }

    String yellow(String s) {
        return style("33", s);
    }

    String dim(String s) {
        return style("2", s);
    }

    private String style(String code, String s) {
        return color ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }

    /** A transient progress line, overwritten by the next one; nothing when not interactive. */
    void progress(String message) {
        if (interactive) {
            out.print("\r" + dim(message) + "\u001b[K");
            out.flush();
        }
    }

    void clearProgress() {
        if (interactive) {
            out.print("\r\u001b[K");
            out.flush();
        }
    }
}
