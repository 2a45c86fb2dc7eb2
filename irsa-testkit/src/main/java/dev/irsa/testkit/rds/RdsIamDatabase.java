package dev.irsa.testkit.rds;

import dev.irsa.testkit.StsEmulator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A database that does what RDS does at an IAM login and nothing else, for testing a data source switched to IAM
 * authentication tokens without a database server: a connection to {@link #jdbcUrl()}
 * ({@code jdbc:rds-verify://host:port/database}) is accepted only if its password is a token the
 * {@link RdsAuthTokenVerifier} accepts for this database's host, port and region and the connecting user; otherwise
 * it is refused with an {@link java.sql.SQLException} (SQLState {@code 28000}) that names the verifier's reason. Every
 * verdict is recorded ({@link #verdicts()}). A host that is an Aurora DSQL cluster endpoint
 * ({@code <cluster-id>.dsql.<region>.on.aws}) makes it a DSQL cluster ({@link #isDsql()}).
 *
 * <pre>{@code
 * try (RdsIamDatabase db = RdsIamDatabase.forEmulator(env.sts()).start()) {
 *     // spring.datasource.url=db.jdbcUrl(), spring.datasource.driver-class-name=db.driverClassName()
 *     ... assertThat(db.verdicts()).allMatch(RdsAuthTokenVerifier.Verdict::accepted);
 * }
 * }</pre>
 *
 * <p>The host is a name, never resolved or connected to: the default looks like an RDS instance endpoint in the
 * region, so that an RDS integration recognises it as one. No socket is opened; the JDBC driver
 * ({@link RdsIamDriver}, {@link #driverClassName()}, registered with {@link java.sql.DriverManager} while any database
 * runs) serves connections in the test's JVM. Unless a port is given, each database gets one of its own (5432 for the
 * first in the JVM, then 5433, ..., skipping ports in use): read it from {@link #jdbcUrl()} or {@link #port()}.
 *
 * <p>Connections are inert: they answer what a pool needs ({@code isValid} is true until the connection or the
 * database is closed; auto-commit on, read committed; commit, rollback and settings are no-ops) and a liveness check,
 * {@code SELECT 1} (one row, one column, the integer 1), through a statement or a prepared statement. Any other SQL
 * is refused with {@link java.sql.SQLFeatureNotSupportedException}: answering it with empty results would let a test
 * of the application's queries pass against a database that has no data. Test queries on a real database.
 *
 * <p>Thread-safe. Several databases may run at once at different host:port pairs (databases given no port always
 * differ). {@link #close()} stops this one: its open connections become invalid (their statements and results with
 * them), new ones are refused, and the driver is deregistered when no database runs.
 *
 * @since 0.1.0
 */
public final class RdsIamDatabase implements AutoCloseable {
    /** The JDBC URL prefix the driver accepts. */
    public static final String URL_PREFIX = "jdbc:rds-verify://";
    /**
     * The class name of the JDBC driver, {@link RdsIamDriver}, which has a public no-argument constructor: for
     * {@code spring.datasource.driver-class-name} or Hikari's {@code driverClassName}. Every instance serves every
     * running database.
     */
    public static final String DRIVER_CLASS_NAME = "dev.irsa.testkit.rds.RdsIamDriver";

    /**
     * An Aurora DSQL cluster endpoint, matched lower case: the same shape as irsa-rds's {@code RdsHosts} (the test kit
     * cannot depend on it; irsa-rds's tests compare the two), so the fixture is a DSQL cluster exactly when irsa-rds
     * signs for one.
     */
    private static final java.util.regex.Pattern DSQL_HOST = java.util.regex.Pattern.compile(
            "[a-z0-9]+\\.dsql\\.[a-z]{2,4}(?:-[a-z]+)+-\\d{1,2}\\.on\\.aws\\.?");

    private final RdsAuthTokenVerifier verifier;
    private final String host;
    private final int port;
    private final String region;
    private final String database;
    private final List<RdsAuthTokenVerifier.Verdict> verdicts = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private RdsIamDatabase(Builder b, String host, int port) {
        this.verifier = b.verifier;
        this.region = b.region;
        this.host = host;
        this.port = port;
        this.database = b.database;
    }

    /**
     * A database in {@code sts}'s region that accepts tokens signed with credentials {@code sts} issued, judged at
     * the system clock.
     *
     * @param sts the emulator whose credentials sign valid tokens
     * @return a builder, to change the host, port, database name or verifier before {@link Builder#start()}
     */
    public static Builder forEmulator(StsEmulator sts) {
        Objects.requireNonNull(sts, "sts");
        return new Builder().verifier(RdsAuthTokenVerifier.forEmulator(sts)).region(sts.region());
    }

    /**
     * A builder with no verifier or region set.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the JDBC URL of this database, {@code jdbc:rds-verify://host:port/database}} */
    public String jdbcUrl() {
        return URL_PREFIX + host + ":" + port + "/" + database;
    }

    /** {@return {@link #DRIVER_CLASS_NAME}, the JDBC driver's class name} */
    public String driverClassName() {
        return DRIVER_CLASS_NAME;
    }

    /** {@return the endpoint's host name, as tokens must be signed for it} */
    public String host() {
        return host;
    }

    /** {@return the endpoint's port} */
    public int port() {
        return port;
    }

    /** {@return the region tokens must be signed for} */
    public String region() {
        return region;
    }

    /** {@return the database name in the URL (not checked at login, as RDS does not check it against the token)} */
    public String database() {
        return database;
    }

    /** {@return every login's verdict so far, oldest first} */
    public List<RdsAuthTokenVerifier.Verdict> verdicts() {
        return List.copyOf(verdicts);
    }

    /** Forgets the verdicts recorded so far. */
    public void clearVerdicts() {
        verdicts.clear();
    }

    /** {@return whether {@link #close()} was called} */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Checks a login as this database would: records the verdict and returns it. The driver calls it; tests rarely
     * need to.
     *
     * @param user the database user
     * @param password the password the client sent (the token)
     * @return the verdict
     */
    public RdsAuthTokenVerifier.Verdict login(String user, String password) {
        RdsAuthTokenVerifier.Verdict v = isDsql()
                ? verifier.verifyDsql(password, host, user, region)
                : verifier.verify(password, host, port, user, region);
        verdicts.add(v);
        return v;
    }

    /**
     * {@return whether this database stands for an Aurora DSQL cluster: its host is a cluster endpoint,
     * {@code <cluster-id>.dsql.<region>.on.aws}; logins are then checked as DSQL checks them
     * ({@link RdsAuthTokenVerifier#verifyDsql}: the host alone, {@code DbConnectAdmin} for {@code admin})}
     */
    public boolean isDsql() {
        return DSQL_HOST.matcher(host.toLowerCase(Locale.ROOT)).matches();
    }

    /** {@return the key under which the driver finds this database: host:port, lower case} */
    String key() {
        return key(host, port);
    }

    static String key(String host, int port) {
        return host.toLowerCase(Locale.ROOT) + ":" + port;
    }

    /** Stops the database: open connections become invalid, new ones are refused. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            RdsIamDriver.remove(this);
        }
    }

    @Override
    public String toString() {
        return "RdsIamDatabase[" + jdbcUrl() + ", region=" + region + (closed ? ", closed" : "") + "]";
    }

    /** Configures and starts an {@link RdsIamDatabase}. */
    public static final class Builder {
        private RdsAuthTokenVerifier verifier;
        private String region;
        private String host;
        private int port; // 0: a port of its own, chosen at start
        private String database = "app";

        private Builder() {
        }

        /**
         * The verifier that judges each login's token, e.g. {@code RdsAuthTokenVerifier.forEmulator(sts, clock)} to
         * judge at a manual clock's time.
         *
         * @param verifier the verifier
         * @return this builder
         */
        public Builder verifier(RdsAuthTokenVerifier verifier) {
            this.verifier = Objects.requireNonNull(verifier, "verifier");
            return this;
        }

        /**
         * The database's region, which tokens must be signed for.
         *
         * @param region e.g. {@code us-west-2}
         * @return this builder
         */
        public Builder region(String region) {
            this.region = Objects.requireNonNull(region, "region");
            return this;
        }

        /**
         * The endpoint's host name (default {@code testdb.abcdefghijkl.<region>.rds.amazonaws.com}); never resolved.
         *
         * @param host a bare host name
         * @return this builder
         */
        public Builder host(String host) {
            Objects.requireNonNull(host, "host");
            if (host.isEmpty() || host.contains(":") || host.contains("/")) {
                throw new IllegalArgumentException("The host must be a bare host name, without scheme, port or path: " + host);
            }
            this.host = host;
            return this;
        }

        /**
         * The endpoint's port (default: one no running database at the host uses, counting up from 5432). A test
         * that gives a port cannot run beside another database at the same host and port.
         *
         * @param port 1 to 65535
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The database name in the URL (default {@code app}).
         *
         * @param database the name
         * @return this builder
         */
        public Builder database(String database) {
            this.database = Objects.requireNonNull(database, "database");
            return this;
        }

        /**
         * Starts the database: registers the JDBC driver if none runs yet, and serves logins to
         * {@link RdsIamDatabase#jdbcUrl()}.
         *
         * @return the running database
         * @throws IllegalStateException if another running database has the port given to this builder at the same
         *     host
         */
        public RdsIamDatabase start() {
            Objects.requireNonNull(verifier, "verifier");
            Objects.requireNonNull(region, "region");
            String h = host != null ? host : "testdb.abcdefghijkl." + region + ".rds.amazonaws.com";
            synchronized (RdsIamDriver.class) { // the port chosen and taken at once
                RdsIamDatabase db = new RdsIamDatabase(this, h, port != 0 ? port : RdsIamDriver.defaultPort(h));
                RdsIamDriver.add(db, db.key());
                return db;
            }
        }
    }
}
