package dev.irsa.testkit.internal;

import dev.irsa.testkit.rds.RdsAuthTokenVerifier;
import dev.irsa.testkit.rds.RdsIamDatabase;
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
 * database at that host and port. Public with a no-argument constructor so that a pool can create it by class name;
 * every instance serves the same databases. Registered with {@link DriverManager} while any database runs.
 */
public final class RdsIamDriver implements Driver {
    private static final Pattern URL = Pattern.compile("jdbc:rds-verify://([^:/?;]+):(\\d+)(?:[/?;].*)?");
    private static final Map<String, RdsIamDatabase> RUNNING = new LinkedHashMap<>();
    private static RdsIamDriver registered;

    /** A driver serving the running databases (pools create it by name). */
    public RdsIamDriver() {
    }

    /** Serves {@code db} at {@code key} (host:port, lower case); registers the driver with the first database. */
    public static synchronized void add(RdsIamDatabase db, String key) {
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
    public static synchronized void remove(RdsIamDatabase db) {
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
    public static synchronized boolean isRegistered() {
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
