package dev.irsa.testkit.rds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.testkit.IssuedCredentials;
import dev.irsa.testkit.ManualClock;
import dev.irsa.testkit.StsEmulator;
import java.lang.reflect.Modifier;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsUtilities;

/**
 * The test kit's database fixture, logged into through {@link DriverManager} (as a pool without a driver class name
 * does) and through its driver class (as a pool configured by name does), with tokens from the SDK's own signer.
 */
class RdsIamDatabaseTest {
    static final String ROLE = "arn:aws:iam::111122223333:role/db-role";
    static StsEmulator sts;
    static IssuedCredentials creds;

    @BeforeAll
    static void start() {
        sts = StsEmulator.start();
        creds = sts.issueFor(ROLE, "fixture", Duration.ofHours(1));
    }

    @AfterAll
    static void stop() {
        sts.close();
    }

    static String token(String region, String host, int port, String user) {
        AwsSessionCredentials c = AwsSessionCredentials.create(creds.accessKeyId(), creds.secretAccessKey(), creds.sessionToken());
        return RdsUtilities.builder().region(Region.of(region)).build().generateAuthenticationToken(
                b -> b.hostname(host).port(port).username(user).credentialsProvider(() -> c));
    }

    static String token(RdsIamDatabase db, String user) {
        return token(db.region(), db.host(), db.port(), user);
    }

    @Test
    void aTokenSignedForTheDatabaseLogsInAndTheConnectionAnswersSelectOne() throws Exception {
        try (RdsIamDatabase db = RdsIamDatabase.forEmulator(sts).start()) {
            assertThat(db.region()).isEqualTo(sts.region());
            assertThat(db.host()).isEqualTo("testdb.abcdefghijkl." + sts.region() + ".rds.amazonaws.com");
            assertThat(db.port()).isBetween(5432, 65535);
            assertThat(db.jdbcUrl()).isEqualTo("jdbc:rds-verify://" + db.host() + ":" + db.port() + "/app");
            String token = token(db, "app_user");
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), "app_user", token)) {
                assertThat(c.isValid(1)).isTrue();
                assertThat(c.getAutoCommit()).isTrue();
                c.setAutoCommit(false);
                assertThat(c.getAutoCommit()).as("keeps what a pool sets").isFalse();
                c.commit();
                c.rollback();
                try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select 1")) {
                    assertThat(r.getMetaData().getColumnCount()).isEqualTo(1);
                    assertThat(r.next()).isTrue();
                    assertThat(r.getInt(1)).isEqualTo(1);
                    assertThat(r.getObject(1, Long.class)).isEqualTo(1L);
                    assertThat(r.wasNull()).isFalse();
                    assertThat(r.next()).isFalse();
                }
                try (PreparedStatement p = c.prepareStatement(" SELECT  1; ")) {
                    assertThat(p.execute()).isTrue();
                    try (ResultSet r = p.getResultSet()) {
                        assertThat(r.next()).isTrue();
                        assertThat(r.getString(1)).isEqualTo("1");
                    }
                }
                assertThat(c.getMetaData().getDatabaseProductName()).isEqualTo("RdsIamDatabase");
                assertThat(c.getMetaData().getUserName()).isEqualTo("app_user");
                assertThat(c.toString()).contains("app_user@" + db.host(), creds.accessKeyId()).doesNotContain(token);
            }
            assertThat(db.verdicts()).singleElement().satisfies(v -> {
                assertThat(v.accepted()).isTrue();
                assertThat(v.accessKeyId()).isEqualTo(creds.accessKeyId());
                assertThat(v.assumedRoleArn()).isEqualTo("arn:aws:sts::111122223333:assumed-role/db-role/fixture");
            });
            db.clearVerdicts();
            assertThat(db.verdicts()).isEmpty();
        }
    }

    @Test
    void anyOtherSqlIsRefusedRatherThanAnsweredWithNoRows() throws Exception {
        try (RdsIamDatabase db = RdsIamDatabase.forEmulator(sts).start();
             Connection c = DriverManager.getConnection(db.jdbcUrl(), "app_user", token(db, "app_user"));
             Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("select * from orders")).isInstanceOf(SQLFeatureNotSupportedException.class)
                    .hasMessageContaining("select * from orders").hasMessageContaining("answers SELECT 1 only");
            assertThatThrownBy(() -> s.executeUpdate("delete from orders")).isInstanceOf(SQLFeatureNotSupportedException.class);
            assertThatThrownBy(() -> c.prepareStatement("select name from orders where id = ?"))
                    .isInstanceOf(SQLFeatureNotSupportedException.class);
        }
    }

    /** Each refusal: SQLState 28000 and the verifier's reason in the message; the token itself never. */
    private static void assertRefused(RdsIamDatabase db, String user, String token, RdsAuthTokenVerifier.Reason reason) {
        db.clearVerdicts();
        assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(), user, token))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28000"))
                .hasMessageStartingWith("PAM authentication failed for user \"" + user + "\"")
                .hasMessageContaining(reason.name())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token).doesNotContain(creds.secretAccessKey()));
        assertThat(db.verdicts()).singleElement().extracting(RdsAuthTokenVerifier.Verdict::reason).isEqualTo(reason);
    }

    @Test
    void refusesTokensSignedForAnotherHostPortUserOrRegionWithTheVerifiersReason() {
        try (RdsIamDatabase db = RdsIamDatabase.forEmulator(sts).host("orders.abcdefghijkl.us-west-2.rds.amazonaws.com")
                .port(15432).database("orders").start();
             RdsIamDatabase east = RdsIamDatabase.forEmulator(sts).region("us-east-1").start()) {
            assertThat(db.jdbcUrl()).isEqualTo("jdbc:rds-verify://orders.abcdefghijkl.us-west-2.rds.amazonaws.com:15432/orders");
            assertRefused(db, "app_user", token(db.region(), "other.abcdefghijkl.us-west-2.rds.amazonaws.com", db.port(),
                    "app_user"), RdsAuthTokenVerifier.Reason.WRONG_ENDPOINT);
            assertRefused(db, "app_user", token(db.region(), db.host(), 5432, "app_user"), RdsAuthTokenVerifier.Reason.WRONG_ENDPOINT);
            assertRefused(db, "app_user", token(db, "admin"), RdsAuthTokenVerifier.Reason.WRONG_USER);
            assertRefused(east, "app_user", token("us-west-2", east.host(), east.port(), "app_user"),
                    RdsAuthTokenVerifier.Reason.WRONG_REGION);
            assertRefused(db, "app_user", "not-a-token", RdsAuthTokenVerifier.Reason.MALFORMED);
        }
    }

    @Test
    void refusesAnExpiredTokenAndABadSignature() throws Exception {
        ManualClock clock = ManualClock.now();
        try (RdsIamDatabase db = RdsIamDatabase.builder().verifier(RdsAuthTokenVerifier.forEmulator(sts, clock))
                .region(sts.region()).start()) {
            String token = token(db, "app_user");
            String tampered = token.substring(0, token.length() - 1) + (token.endsWith("0") ? "1" : "0");
            assertRefused(db, "app_user", tampered, RdsAuthTokenVerifier.Reason.SIGNATURE_MISMATCH);
            DriverManager.getConnection(db.jdbcUrl(), "app_user", token).close();
            clock.advance(Duration.ofMinutes(16));
            assertRefused(db, "app_user", token, RdsAuthTokenVerifier.Reason.EXPIRED_TOKEN);
        }
    }

    /**
     * Every default database used to be at one host:port, which the JVM-wide driver registry serves once: a second
     * (another test class's, in JUnit's parallel class mode, or any after a leaked one) failed to start.
     */
    @Test
    void defaultDatabasesGetAPortOfTheirOwnSoSeveralRunAtOnce() throws Exception {
        try (RdsIamDatabase a = RdsIamDatabase.forEmulator(sts).start();
             RdsIamDatabase b = RdsIamDatabase.forEmulator(sts).start()) {
            assertThat(b.host()).isEqualTo(a.host());
            assertThat(b.port()).isNotEqualTo(a.port());
            for (RdsIamDatabase db : List.of(a, b)) {
                DriverManager.getConnection(db.jdbcUrl(), "app_user", token(db, "app_user")).close();
                assertThat(db.verdicts()).singleElement().matches(RdsAuthTokenVerifier.Verdict::accepted);
            }
            // a port given explicitly is skipped by the next default one
            try (RdsIamDatabase explicit = RdsIamDatabase.forEmulator(sts).port(b.port() + 1).start();
                 RdsIamDatabase c = RdsIamDatabase.forEmulator(sts).start()) {
                assertThat(c.port()).isNotIn(a.port(), b.port(), explicit.port());
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<RdsIamDatabase> started = new ArrayList<>();
        try {
            List<Callable<RdsIamDatabase>> starts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                starts.add(() -> RdsIamDatabase.forEmulator(sts).start());
            }
            for (Future<RdsIamDatabase> f : pool.invokeAll(starts)) {
                started.add(f.get());
            }
            assertThat(started).extracting(RdsIamDatabase::port).doesNotHaveDuplicates();
        } finally {
            pool.shutdownNow();
            started.forEach(RdsIamDatabase::close);
        }
    }

    /** The driver users name in spring.datasource.driver-class-name is public API, not an internal class. */
    @Test
    void theDriverClassNameNamesAPublicClassBesideTheDatabase() throws Exception {
        Class<?> driver = Class.forName(RdsIamDatabase.DRIVER_CLASS_NAME);
        assertThat(driver.getPackageName()).isEqualTo(RdsIamDatabase.class.getPackageName()).doesNotContain("internal");
        assertThat(Modifier.isPublic(driver.getModifiers())).isTrue();
        assertThat(driver.getConstructor().newInstance()).isInstanceOf(Driver.class);
    }

    /** JDBC: closing a connection closes its statements and their results; a closed database answers nothing. */
    @Test
    void statementsAndResultsDieWithTheirConnectionOrDatabase() throws Exception {
        RdsIamDatabase db = RdsIamDatabase.forEmulator(sts).start();
        try {
            Connection c = DriverManager.getConnection(db.jdbcUrl(), "app_user", token(db, "app_user"));
            PreparedStatement p = c.prepareStatement("select 1");
            Statement s = c.createStatement();
            ResultSet r = s.executeQuery("select 1");
            c.close();
            assertThat(p.isClosed()).as("closed with its connection").isTrue();
            assertThat(s.isClosed()).isTrue();
            assertThat(r.isClosed()).isTrue();
            assertThatThrownBy(p::executeQuery).isInstanceOf(SQLException.class).hasMessageContaining("closed");
            assertThatThrownBy(() -> s.executeQuery("select 1")).isInstanceOf(SQLException.class).hasMessageContaining("closed");
            assertThatThrownBy(r::next).isInstanceOf(SQLException.class).hasMessageContaining("closed");

            Connection open = DriverManager.getConnection(db.jdbcUrl(), "app_user", token(db, "app_user"));
            PreparedStatement p2 = open.prepareStatement("select 1");
            ResultSet r2 = open.createStatement().executeQuery("select 1");
            db.close();
            assertThatThrownBy(p2::executeQuery).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("08006")).hasMessageContaining("was closed");
            assertThatThrownBy(p2::execute).isInstanceOf(SQLException.class).hasMessageContaining("was closed");
            assertThatThrownBy(r2::next).isInstanceOf(SQLException.class).hasMessageContaining("was closed");
        } finally {
            db.close();
        }
    }

    @Test
    void closingStopsTheDatabaseInvalidatesItsConnectionsAndDeregistersTheDriver() throws Exception {
        assertThat(RdsIamDatabase.DRIVER_CLASS_NAME).isEqualTo(RdsIamDriver.class.getName());
        RdsIamDriver byName = new RdsIamDriver(); // what a pool given the driver's class name creates
        Properties login = new Properties();
        login.setProperty("user", "app_user");
        RdsIamDatabase db = RdsIamDatabase.forEmulator(sts).start();
        RdsIamDatabase other = RdsIamDatabase.forEmulator(sts).port(3306).start();
        assertThatThrownBy(() -> RdsIamDatabase.forEmulator(sts).port(db.port()).start()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already runs at " + db.host() + ":" + db.port());
        login.setProperty("password", token(db, "app_user"));
        Connection c = byName.connect(db.jdbcUrl(), login);
        assertThat(DriverManager.getDriver(db.jdbcUrl())).isInstanceOf(RdsIamDriver.class);
        db.close();
        assertThat(c.isValid(1)).as("its database was closed").isFalse();
        assertThatThrownBy(() -> c.createStatement()).isInstanceOf(SQLException.class).hasMessageContaining("was closed");
        assertThatThrownBy(() -> byName.connect(db.jdbcUrl(), login)).isInstanceOf(SQLException.class)
                .hasMessageContaining("No RdsIamDatabase runs at " + db.host() + ":" + db.port()).hasMessageContaining(other.host() + ":3306");
        assertThat(RdsIamDriver.isRegistered()).as("another database still runs").isTrue();
        other.close();
        other.close();
        assertThat(RdsIamDriver.isRegistered()).isFalse();
        assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(), login)).isInstanceOf(SQLException.class)
                .hasMessageContaining("No suitable driver");
        assertThat(byName.connect("jdbc:postgresql://localhost/app", login)).as("not its URL").isNull();
    }
}
