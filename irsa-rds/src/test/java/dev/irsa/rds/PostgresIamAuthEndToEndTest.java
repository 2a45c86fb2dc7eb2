package dev.irsa.rds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.irsa.core.SettingsSource;
import dev.irsa.rds.hikari.RdsIamHikariCredentials;
import dev.irsa.rds.jdbcwrapper.AwsJdbcWrapperCredentials;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.rds.RdsAuthTokenVerifier;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gold standard: a real PostgreSQL 15 accepts the IAM token as the password. PostgreSQL's {@code ldap}
 * authentication hands the password to an LDAP simple bind; the bind responder in this JVM runs the test kit's
 * {@link RdsAuthTokenVerifier} on it, as RDS checks the token. (PAM was ruled out: Linux-PAM conversation replies
 * are capped at 512 bytes, and a token with a session token is 1–2 KB.) Real HikariCP, real pgjdbc, real SDK signer,
 * real emulator over loopback.
 */
class PostgresIamAuthEndToEndTest {
    static final String REGION = "us-west-2";
    static final String USER = "app_user";

    static IrsaEnvironment env;
    static LdapBindResponder ldap;
    static LocalPostgres pg;
    static final List<RdsAuthTokenVerifier.Verdict> verdicts = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        String why = LocalPostgres.unavailableReason().orElse(null);
        Assumptions.assumeTrue(why == null, () -> "Skipping the PostgreSQL end-to-end test: " + why);
        // 12-second credentials: the session refreshes them within seconds, so a test crosses a refresh without
        // sleeping long; the 4-second margin below lets a token survive a slow login on a loaded machine.
        env = IrsaEnvironment.builder().credentialLifetime(Duration.ofSeconds(12)).start();
        RdsAuthTokenVerifier verifier = RdsAuthTokenVerifier.forEmulator(env.sts());
        int[] pgPort = new int[1];
        ldap = new LdapBindResponder((dn, password) -> {
            String user = dn.replaceFirst("^cn=", "").replaceFirst(",dc=rds$", "");
            RdsAuthTokenVerifier.Verdict v = verifier.verify(password, "127.0.0.1", pgPort[0], user, REGION);
            verdicts.add(v);
            return v.accepted();
        });
        pg = new LocalPostgres(ldap.port());
        pgPort[0] = pg.port();
        try (Connection c = DriverManager.getConnection(url(), "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("create role " + USER + " login");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
        if (ldap != null) {
            ldap.close();
        }
        if (env != null) {
            env.close();
        }
    }

    @BeforeEach
    void forgetEarlierVerdicts() {
        verdicts.clear();
    }

    static String url() {
        return "jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres";
    }

    /** The 12-s credentials are refreshed within seconds: sooner than the minimum refresh interval allows, so off. */
    private static final dev.irsa.core.RefreshPolicy SHORT_SESSIONS = dev.irsa.core.RefreshPolicy.builder()
            .minimumRefreshInterval(Duration.ZERO).build();

    @Test
    void hikariPoolConnectsWithTokensAcrossACredentialRefreshAndTheDatabaseRefusesAWrongSignature() throws Exception {
        try (IrsaCredentialsProvider credentials = IrsaCredentialsProvider.builder()
                     .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("pg-e2e").shared(false)
                     .refreshPolicy(SHORT_SESSIONS).build();
             RdsAuthTokens tokens = RdsAuthTokens.builder().credentialsProvider(credentials).margin(Duration.ofSeconds(4)).build()) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url());
            config.setUsername(USER);
            config.setMaximumPoolSize(2);
            config.setPoolName("irsa-rds-e2e");
            RdsIamHikariCredentials.install(config, tokens, REGION);
            try (HikariDataSource ds = new HikariDataSource(config)) {
                Set<String> keys = new LinkedHashSet<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (keys.size() < 2 && System.nanoTime() < deadline) {
                    ds.getHikariPoolMXBean().softEvictConnections(); // the next borrow opens a new physical connection
                    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("select current_user")) {
                        rs.next();
                        assertThat(rs.getString(1)).isEqualTo(USER);
                    }
                    verdicts.stream().filter(RdsAuthTokenVerifier.Verdict::accepted).forEach(v -> keys.add(v.accessKeyId()));
                    Thread.sleep(250);
                }
                assertThat(keys).as("connections were let in with tokens from successive credential sets").hasSizeGreaterThanOrEqualTo(2);
                assertThat(verdicts).as(() -> "every token the pool sent was accepted: " + verdicts)
                        .allMatch(RdsAuthTokenVerifier.Verdict::accepted);
                assertThat(verdicts.get(0).assumedRoleArn()).endsWith("assumed-role/app-role/pg-e2e");
            }

            String token = tokens.token("127.0.0.1", pg.port(), USER, REGION);
            int sig = token.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
            String wrong = token.substring(0, sig) + (token.charAt(sig) == '0' ? '1' : '0') + token.substring(sig + 1);
            assertThatThrownBy(() -> DriverManager.getConnection(url(), USER, wrong).close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("LDAP authentication failed for user \"" + USER + "\"");
            assertThat(verdicts.get(verdicts.size() - 1).reason()).isEqualTo(RdsAuthTokenVerifier.Reason.SIGNATURE_MISMATCH);
            try (Connection c = DriverManager.getConnection(url(), USER, token)) {
                assertThat(c.isValid(1)).as("the untampered token opens a plain JDBC connection").isTrue();
            }
        }
    }

    @Test
    void awsAdvancedJdbcWrappersIamPluginSignsWithOurCredentials() throws Exception {
        try (IrsaCredentialsProvider credentials = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("pg-wrapper").shared(false)
                .refreshPolicy(SHORT_SESSIONS).build()) {
            AwsJdbcWrapperCredentials.register(credentials);
            try {
                Properties p = new Properties();
                p.setProperty("user", USER);
                p.setProperty("wrapperPlugins", "iam");
                p.setProperty("iamRegion", REGION);
                int before = verdicts.size();
                try (Connection c = DriverManager.getConnection("jdbc:aws-wrapper:postgresql://127.0.0.1:" + pg.port() + "/postgres", p);
                     Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select current_user")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo(USER);
                }
                RdsAuthTokenVerifier.Verdict v = verdicts.get(before);
                assertThat(v.accepted()).as(v.message()).isTrue();
                assertThat(v.assumedRoleArn()).as("the wrapper signed with our session's credentials")
                        .endsWith("assumed-role/app-role/pg-wrapper");
            } finally {
                AwsJdbcWrapperCredentials.unregister();
            }
        }
    }
}
