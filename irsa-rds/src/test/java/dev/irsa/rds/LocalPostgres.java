package dev.irsa.rds;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server on a free loopback port, its data directory in a temporary directory, run as the
 * {@code postgres} OS user (PostgreSQL refuses to run as root). {@code pg_hba.conf} trusts the superuser
 * {@code postgres} over loopback (for setup) and sends every other user to LDAP simple bind at {@code ldapPort}.
 * {@link #close()} stops the server and deletes the directory.
 *
 * <p>Public, with {@link LdapBindResponder}, in irsa-rds's test jar ({@code type test-jar}): other modules' end-to-end
 * tests (irsa-quarkus's data sources) log in to the same real server. Test code only, never published as API.
 */
public final class LocalPostgres implements AutoCloseable {
    /** The newest /usr/lib/postgresql/<version>/bin with postgres and pg_ctl in it (15 in CI), or 15's path. */
    private static final Path BIN = findBin();
    private final Path dir;
    private final int port;
    /** Stops the server if the JVM exits without {@link #close()} (a killed or timed-out test run). */
    private final Thread stopOnExit;

    private static Path findBin() {
        Path fallback = Paths.get("/usr/lib/postgresql/15/bin");
        try (Stream<Path> versions = Files.list(Paths.get("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("postgres")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(b -> versionOf(b.getParent().getFileName().toString())))
                    .orElse(fallback);
        } catch (IOException e) {
            return fallback;
        }
    }

    private static int versionOf(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Why the server cannot be run here, or empty.
     *
     * @return the reason a test skipping itself gives
     */
    public static Optional<String> unavailableReason() {
        if (!Files.isExecutable(BIN.resolve("postgres")) || !Files.isExecutable(BIN.resolve("pg_ctl"))) {
            return Optional.of("PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/postgres);"
                    + " apt-get install postgresql-15");
        }
        if (!Files.isExecutable(Paths.get("/usr/sbin/runuser")) && !Files.isExecutable(Paths.get("/sbin/runuser"))) {
            return Optional.of("runuser is missing");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("needs root to run PostgreSQL as the postgres user");
        }
        try {
            if (run(List.of("id", "-u", "postgres")) != 0) {
                return Optional.of("there is no postgres OS user");
            }
        } catch (IOException e) {
            return Optional.of("cannot run id: " + e.getMessage());
        }
        return Optional.empty();
    }

    /**
     * Starts the server.
     *
     * @param ldapPort where the LDAP bind of every login but {@code postgres}'s goes ({@link LdapBindResponder#port()})
     * @throws IOException when it does not start (the message carries the server's log)
     */
    public LocalPostgres(int ldapPort) throws IOException {
        this.dir = Files.createTempDirectory("irsa-rds-pg");
        this.port = freePort();
        this.stopOnExit = new Thread(this::stopQuietly, "irsa-rds-pg-stop");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        try {
            start(ldapPort);
        } catch (IOException | RuntimeException e) {
            // the caller gets no instance to close: stop what may have started and delete the directory here
            stopQuietly();
            throw e;
        }
    }

    private void start(int ldapPort) throws IOException {
        Path data = dir.resolve("data");
        check(run(List.of("chown", "postgres", dir.toString())), "chown");
        check(asPostgres(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "-A", "trust",
                "--no-sync", "-E", "UTF8"), "initdb");
        Files.writeString(data.resolve("pg_hba.conf"), String.join("\n",
                "local all postgres trust",
                "host all postgres 127.0.0.1/32 trust",
                "host all all 127.0.0.1/32 ldap ldapserver=127.0.0.1 ldapport=" + ldapPort
                        + " ldapprefix=\"cn=\" ldapsuffix=\",dc=rds\"",
                ""));
        check(asPostgres(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(),
                "-w", "-t", "30", "start", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"),
                "pg_ctl start");
    }

    /** {@return the loopback port the server listens on} */
    public int port() {
        return port;
    }

    /** {@return the server's log so far, for a failing test's message} */
    public String log() {
        try {
            return Files.readString(dir.resolve("log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook runs (or ran) instead
        }
        stop();
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (IOException | RuntimeException e) {
            // best effort: nothing more can be done here
        }
    }

    private void stop() throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            if (!Files.isDirectory(dir.resolve("data"))) {
                return;
            }
            asPostgres(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private int asPostgres(String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(List.of(cmd));
        return run(full);
    }

    private static int run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish in 60 s");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void check(int rc, String what) throws IOException {
        if (rc != 0) {
            throw new IOException(what + " failed with exit code " + rc + "; log: " + log());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
