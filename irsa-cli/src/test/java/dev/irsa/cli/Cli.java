package dev.irsa.cli;

import dev.irsa.core.SettingsSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs the CLI in-process, as a script would see it: not a terminal, so no colour or progress. */
record Cli(int code, String out, String err) {
    static Cli run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = IrsaCli.run(args, SettingsSource.ofEnvironment(env),
                new Terminal(new PrintWriter(out, true), false, false), new PrintWriter(err, true));
        return new Cli(code, out.toString(), err.toString());
    }
}
