package dev.irsa.cli;

import dev.irsa.core.SettingsSource;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/**
 * {@code irsa}: the IRSA demo on loopback, a doctor for pods, and the trust policy generator. Exit codes: 0 fine,
 * 1 a check or step failed, 2 bad usage.
 * @since 0.1.0
 */
@Command(name = "irsa", mixinStandardHelpOptions = true, version = "irsa 0.1.0-SNAPSHOT",
        description = "IAM Roles for Service Accounts (IRSA) for Java: see it work, check a pod, write a trust policy.",
        subcommands = {DemoCommand.class, DoctorCommand.class, TrustPolicyCommand.class, CommandLine.HelpCommand.class})
public final class IrsaCli implements Runnable {
    private final SettingsSource settings;
    private final Terminal terminal;

    @Spec
    CommandLine.Model.CommandSpec spec;

    IrsaCli(SettingsSource settings, Terminal terminal) {
        this.settings = settings;
        this.terminal = terminal;
    }

    /**
     * Runs the command line tool with the process environment and system properties, then exits the JVM with its
     * exit status.
     *
     * @param args the command line arguments
     */
    public static void main(String[] args) {
        SettingsSource settings = SettingsSource.system();
        boolean interactive = System.console() != null;
        boolean color = interactive && settings.environmentVariable("NO_COLOR").isEmpty()
                && !"dumb".equals(settings.environmentVariable("TERM").orElse("dumb"));
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, settings, new Terminal(out, interactive, color), err));
    }

    /** Runs a command line; returns the exit code. */
    static int run(String[] args, SettingsSource settings, Terminal terminal, PrintWriter err) {
        CommandLine cl = new CommandLine(new IrsaCli(settings, terminal));
        cl.setOut(terminal.out());
        cl.setErr(err);
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(terminal.interactive()
                ? CommandLine.Help.Ansi.AUTO : CommandLine.Help.Ansi.OFF));
        int code = cl.execute(args);
        terminal.out().flush();
        err.flush();
        return code;
    }

    SettingsSource settings() {
        return settings;
    }

    Terminal terminal() {
        return terminal;
    }

    @Override
    public void run() {
        spec.commandLine().usage(terminal.out());
    }
}
