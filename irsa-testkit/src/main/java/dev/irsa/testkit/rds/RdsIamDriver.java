package dev.irsa.testkit.rds;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JDBC driver of {@link RdsIamDatabase}: {@code jdbc:rds-verify://host:port/database}, served by the running
 * database at that host and port. Name it where a pool wants a driver class
 * ({@code spring.datasource.driver-class-name}, Hikari's {@code driverClassName}; {@link RdsIamDatabase#DRIVER_CLASS_NAME}
 * is its name): every instance, created by that name with the no-argument constructor, serves every running database.
 * Registered with {@link DriverManager} while any database runs, so a pool given no driver class finds it too.
 *
 * @since 0.1.0
 */
public final class RdsIamDriver implements Driver {
    private static final Pattern URL = Pattern.compile("jdbc:rds-verify://([^:/?;]+):(\\d+)(?:[/?;].*)?");
    /** The port of the first default database; later ones count up from it, skipping ports in use at their host. */
    static final int FIRST_DEFAULT_PORT = 5432;
    private static final Map<String, RdsIamDatabase> RUNNING = new LinkedHashMap<>();
    private static RdsIamDriver registered;
    private static int nextDefaultPort = FIRST_DEFAULT_PORT;

    /** A driver serving the running databases (what a pool given {@link RdsIamDatabase#DRIVER_CLASS_NAME} creates). */
    public RdsIamDriver() {
    }

    /**
     * A port for a database at {@code host} given no port: the next of a JVM-wide counter (5432, 5433, ...) that no
     * running database at {@code host} uses, so that databases started at once (test classes run in parallel) or after
     * one that leaked do not collide, and a pool still configured for a closed database does not reach a new one.
     * Call with the class's lock held until the database is {@linkplain #add added}.
     */
    static synchronized int defaultPort(String host) {
        for (int tries = 0; tries <= 65535 - FIRST_DEFAULT_PORT; tries++) {
            int port = nextDefaultPort;
            nextDefaultPort = port == 65535 ? FIRST_DEFAULT_PORT : port + 1;
            if (!RUNNING.containsKey(RdsIamDatabase.key(host, port))) {
                return port;
            }
        }
        throw new IllegalStateException("Every port from " + FIRST_DEFAULT_PORT + " up is taken by a running RdsIamDatabase"
                + " at " + host + ": close the databases tests no longer use.");
    }

    /** Serves {@code db} at {@code key} (host:port, lower case); registers the driver with the first database. */
    static synchronized void add(RdsIamDatabase db, String key) {
        RdsIamDatabase other = RUNNING.get(key);
        if (other != null) {
            throw new IllegalStateException("An RdsIamDatabase already runs at " + key + ": " + other
                    + "; close it first or give this one another host or port.");
        }
        RUNNING.put(key, db);
        if (registered == null) {
            registered = new RdsIamDriver();
            try {
                DriverManager.registerDriver(registered);
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot register the RdsIamDatabase JDBC driver", e);
            }
        }
    }

    /** Stops serving {@code db}; deregisters the driver when no database runs. */
    static synchronized void remove(RdsIamDatabase db) {
        RUNNING.values().removeIf(d -> d == db);
        if (RUNNING.isEmpty() && registered != null) {
            try {
                DriverManager.deregisterDriver(registered);
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot deregister the RdsIamDatabase JDBC driver", e);
            } finally {
                registered = null;
            }
        }
    }

    /** {@return whether the driver is registered with DriverManager (some database runs)} */
    static synchronized boolean isRegistered() {
        return registered != null;
    }

    private static synchronized RdsIamDatabase find(String host, int port) {
        return RUNNING.get(host.toLowerCase(Locale.ROOT) + ":" + port);
    }

    private static synchronized String running() {
        return RUNNING.keySet().toString();
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            throw new SQLException("Not an RdsIamDatabase URL: expected jdbc:rds-verify://host:port/database, got " + url,
                    "08001");
        }
        String host = m.group(1);
        int port = Integer.parseInt(m.group(2));
        RdsIamDatabase db = find(host, port);
        if (db == null || db.isClosed()) {
            throw new SQLException("No RdsIamDatabase runs at " + host + ":" + port + " (running: " + running()
                    + "): check the JDBC URL against RdsIamDatabase.jdbcUrl(), and that the database was started and not"
                    + " yet closed.", "08001");
        }
        String user = info == null ? null : info.getProperty("user");
        String password = info == null ? null : info.getProperty("password");
        if (user == null || user.isEmpty()) {
            throw new SQLException("No database user: an IAM login names the user the token was signed for"
                    + " (the pool's username).", "28000");
        }
        RdsAuthTokenVerifier.Verdict v = db.login(user, password);
        if (!v.accepted()) {
            // What PostgreSQL on RDS answers to a refused token, plus why: the verifier's reason, which holds no secret.
            throw new SQLException("PAM authentication failed for user \"" + user + "\" at " + host + ":" + port + ": "
                    + v.reason() + ": " + v.message(), "28000");
        }
        return InertJdbc.connection(db, user, v);
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(RdsIamDatabase.URL_PREFIX);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 1;
    }

    @Override
    public int getMinorVersion() {
        return 0;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("RdsIamDatabase's driver does not log");
    }
}
