package dev.irsa.rds;

import dev.irsa.testkit.rds.RdsAuthTokenVerifier;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JDBC driver for {@code jdbc:rds-verify://host:port/db} that does what RDS does at login and nothing else: the
 * password must be a token the test kit's {@link RdsAuthTokenVerifier} accepts for that host, port, user and region,
 * or the connection is refused; for {@code jdbc:dsql-verify://host:port/db}, what Aurora DSQL does
 * ({@link RdsAuthTokenVerifier#verifyDsql}: the host alone, the action the role needs). Connections are inert (valid until closed). Every verdict is recorded. A test seam
 * for pools where no database runs; {@link PostgresIamAuthEndToEndTest} does the same with a real PostgreSQL.
 */
final class VerifyingDriver implements Driver {
    private static final Pattern URL = Pattern.compile("jdbc:(rds|dsql)-verify://([^:/]+):(\\d+)/.*");
    private final RdsAuthTokenVerifier verifier;
    private final String region;
    final List<RdsAuthTokenVerifier.Verdict> verdicts;

    VerifyingDriver(RdsAuthTokenVerifier verifier, String region) {
        this(verifier, region, new CopyOnWriteArrayList<>());
    }

    VerifyingDriver(RdsAuthTokenVerifier verifier, String region, List<RdsAuthTokenVerifier.Verdict> verdicts) {
        this.verifier = verifier;
        this.region = region;
        this.verdicts = verdicts;
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            return null;
        }
        RdsAuthTokenVerifier.Verdict v = m.group(1).equals("dsql")
                ? verifier.verifyDsql(info.getProperty("password"), m.group(2), info.getProperty("user"), region)
                : verifier.verify(info.getProperty("password"), m.group(2), Integer.parseInt(m.group(3)),
                        info.getProperty("user"), region);
        verdicts.add(v);
        if (!v.accepted()) {
            throw new SQLException("LDAP authentication failed for user \"" + info.getProperty("user") + "\": " + v.reason(), "28000");
        }
        boolean[] closed = {false};
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "isValid" -> !closed[0];
                    case "isClosed" -> closed[0];
                    case "close" -> {
                        closed[0] = true;
                        yield null;
                    }
                    case "getAutoCommit" -> true;
                    case "getTransactionIsolation" -> Connection.TRANSACTION_READ_COMMITTED;
                    case "toString" -> "VerifiedConnection[" + v.accessKeyId() + "]";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> defaultValue(method.getReturnType());
                });
    }

    /** What an inert connection answers: false, zero or null. */
    private static Object defaultValue(Class<?> type) {
        if (type == boolean.class) {
            return Boolean.FALSE;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && (url.startsWith("jdbc:rds-verify:") || url.startsWith("jdbc:dsql-verify:"));
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
        throw new SQLFeatureNotSupportedException();
    }
}
