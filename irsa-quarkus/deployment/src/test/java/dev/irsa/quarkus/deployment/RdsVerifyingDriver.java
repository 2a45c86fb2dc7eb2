package dev.irsa.quarkus.deployment;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * A JDBC driver for {@code jdbc:rds-verify://...} that does what RDS does at login and nothing else: the password must
 * be a token the test kit's verifier accepts for {@link Fixture#RDS_HOST}:5432 and the user, or the connection is
 * refused. Connections are inert. A seam for a real pool where no database runs (irsa-rds's VerifyingDriver, for
 * Agroal, which instantiates drivers by class name).
 */
public final class RdsVerifyingDriver implements Driver {
    /** Created by the pool. */
    public RdsVerifyingDriver() {
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        String verdict = "app_user".equals(info.getProperty("user"))
                ? Fixture.rdsVerdict(info.getProperty("password")) : "WRONG_USER " + info.getProperty("user");
        Fixture.recordLogin(verdict);
        if (!verdict.startsWith("ACCEPTED")) {
            throw new SQLException("PAM authentication failed for user \"" + info.getProperty("user") + "\"", "28000");
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
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "VerifiedConnection";
                    default -> method.getReturnType() == boolean.class ? Boolean.FALSE
                            : method.getReturnType() == int.class ? (Object) 0
                            : method.getReturnType() == long.class ? (Object) 0L : null;
                });
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith("jdbc:rds-verify:");
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
