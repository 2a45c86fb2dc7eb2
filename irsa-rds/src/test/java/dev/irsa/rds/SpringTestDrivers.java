package dev.irsa.rds;

import dev.irsa.testkit.rds.RdsAuthTokenVerifier;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;

/** Hands the package-private {@link VerifyingDriver} to tests in other packages, by class name as Spring Boot wants. */
public final class SpringTestDrivers {
    private static volatile VerifyingDriver current;

    private SpringTestDrivers() {}

    /** From now on {@link Delegating} verifies with {@code verifier}, adding its verdicts to {@code verdicts}. */
    public static void verifyWith(RdsAuthTokenVerifier verifier, String region, List<RdsAuthTokenVerifier.Verdict> verdicts) {
        current = new VerifyingDriver(verifier, region, verdicts);
    }

    /** A driver class with a no-argument constructor ({@code spring.datasource.driver-class-name}). */
    public static final class Delegating implements Driver {
        /** Created by the pool. */
        public Delegating() {
        }

        @Override
        public Connection connect(String url, Properties info) throws SQLException {
            return current.connect(url, info);
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
}
