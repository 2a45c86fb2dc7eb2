package dev.irsa.rds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.irsa.core.SettingsSource;
import dev.irsa.rds.hikari.RdsIamHikariCredentials;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.rds.RdsAuthTokenVerifier;
import dev.irsa.testkit.rds.RdsIamDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A real HikariCP pool whose every physical connection must present a token the test kit's verifier accepts (the
 * test kit's {@link RdsIamDatabase} does what RDS does at login), across a refresh of short-lived emulator credentials.
 */
class HikariPoolTest {
    static final String HOST = "mydb.abc123.us-west-2.rds.amazonaws.com";

    @Test
    void everyNewConnectionGetsAValidTokenAcrossACredentialRefreshAndNothingSecretIsLogged() throws Exception {
        ch.qos.logback.classic.Logger rdsLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.irsa");
        Level was = rdsLog.getLevel();
        rdsLog.setLevel(Level.DEBUG);
        // 6-second credentials: the session refreshes them within seconds.
        try (LogCapture logs = new LogCapture();
             IrsaEnvironment env = IrsaEnvironment.builder().credentialLifetime(Duration.ofSeconds(6)).start();
             IrsaCredentialsProvider credentials = IrsaCredentialsProvider.builder()
                     .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("hikari").shared(false)
                     // refreshed within seconds: sooner than the minimum refresh interval allows, so it is off
                     .refreshPolicy(dev.irsa.core.RefreshPolicy.builder().minimumRefreshInterval(Duration.ZERO).build())
                     .build();
             RdsAuthTokens tokens = RdsAuthTokens.builder().credentialsProvider(credentials).margin(Duration.ofSeconds(2)).build()) {
            RdsIamDatabase db = RdsIamDatabase.forEmulator(env.sts()).host(HOST).port(5432).start();
            try {
                HikariConfig config = new HikariConfig();
                // no driver class name: Hikari finds the database's driver through DriverManager, where it is registered
                config.setJdbcUrl(db.jdbcUrl());
                config.setUsername("app_user");
                config.setPassword("ignored: IAM authentication replaces it");
                config.setMaximumPoolSize(3);
                RdsIamHikariCredentials installed = RdsIamHikariCredentials.install(config, tokens);
                assertThat(installed.endpoint()).isEqualTo(new RdsEndpoint(HOST, 5432, "app_user", "us-west-2"));
                assertThat(config.getPassword()).isNull();
                Set<String> keys = new LinkedHashSet<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                try (HikariDataSource ds = new HikariDataSource(config)) {
                    while (keys.size() < 2 && System.nanoTime() < deadline) {
                        ds.getHikariPoolMXBean().softEvictConnections();
                        try (Connection a = ds.getConnection(); Connection b = ds.getConnection()) {
                            assertThat(a.isValid(1)).isTrue();
                            assertThat(b.isValid(1)).isTrue();
                        }
                        db.verdicts().forEach(v -> keys.add(v.accessKeyId()));
                        Thread.sleep(200);
                    }
                }
                assertThat(db.verdicts()).as(() -> "verdicts: " + db.verdicts()).isNotEmpty()
                        .allMatch(RdsAuthTokenVerifier.Verdict::accepted);
                assertThat(keys).as("tokens from successive credential sets were accepted").hasSizeGreaterThanOrEqualTo(2);
                assertThat(tokens.signatures()).as("tokens are reused between refreshes, not signed per connection")
                        .isLessThan(db.verdicts().size());

                String token = tokens.token(HOST, 5432, "app_user", "us-west-2");
                String secret = credentials.resolveCredentials().secretAccessKey();
                assertThat(logs.all()).contains("Signed an RDS IAM authentication token for app_user@" + HOST)
                        .doesNotContain(token).doesNotContain(secret).doesNotContain("X-Amz-Signature");
                assertThat(tokens.toString()).doesNotContain(token);
            } finally {
                db.close();
            }
        } finally {
            rdsLog.setLevel(was);
        }
    }

    @Test
    void aPoolOnAnAuroraDsqlClusterLogsInAsAdminAndAsACustomRoleWithTheActionEachNeeds() throws Exception {
        String cluster = "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws";
        try (IrsaEnvironment env = IrsaEnvironment.builder().start();
             IrsaCredentialsProvider credentials = IrsaCredentialsProvider.builder()
                     .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("dsql").shared(false).build();
             RdsAuthTokens tokens = RdsAuthTokens.builder().credentialsProvider(credentials).build()) {
            RdsIamDatabase db = RdsIamDatabase.forEmulator(env.sts()).region("us-east-1").host(cluster).port(5432)
                    .database("postgres").start();
            try {
                assertThat(db.isDsql()).isTrue();
                for (String user : new String[] {"admin", "app_role"}) {
                    HikariConfig config = new HikariConfig();
                    config.setJdbcUrl(db.jdbcUrl());
                    config.setUsername(user);
                    config.setMaximumPoolSize(2);
                    RdsIamHikariCredentials installed = RdsIamHikariCredentials.install(config, tokens);
                    assertThat(installed.endpoint().region()).as("from the cluster endpoint").isEqualTo("us-east-1");
                    assertThat(installed.endpoint().isDsql()).isTrue();
                    try (HikariDataSource ds = new HikariDataSource(config);
                         Connection a = ds.getConnection(); Connection b = ds.getConnection()) {
                        assertThat(a.isValid(1)).isTrue();
                        assertThat(b.isValid(1)).isTrue();
                    }
                }
                assertThat(db.verdicts()).as(() -> "verdicts: " + db.verdicts()).hasSizeGreaterThanOrEqualTo(4)
                        .allMatch(RdsAuthTokenVerifier.Verdict::accepted);
                assertThat(db.verdicts()).extracting(RdsAuthTokenVerifier.Verdict::message)
                        .anyMatch(m -> m.endsWith(" as admin.")).anyMatch(m -> m.endsWith(" as app_role."));

                // A token for the custom role does not let admin in: the pool's login fails as DSQL's would.
                HikariConfig wrong = new HikariConfig();
                wrong.setJdbcUrl(db.jdbcUrl());
                wrong.setUsername("admin");
                wrong.setPassword(tokens.token(cluster, 5432, "app_role", "us-east-1"));
                wrong.setInitializationFailTimeout(-1);
                wrong.setConnectionTimeout(250);
                try (HikariDataSource ds = new HikariDataSource(wrong)) {
                    assertThatThrownBy(ds::getConnection).hasStackTraceContaining("WRONG_ACTION");
                }
            } finally {
                db.close();
            }
        }
    }

    @Test
    void aPoolWithoutAJdbcUrlOrUserIsRefusedWithWhatToSet() {
        try (RdsAuthTokens tokens = RdsAuthTokens.builder().credentialsProvider(() -> null).build()) {
            HikariConfig noUrl = new HikariConfig();
            assertThatThrownBy(() -> RdsIamHikariCredentials.install(noUrl, tokens)).hasMessageContaining("needs its jdbcUrl");
            HikariConfig noUser = new HikariConfig();
            noUser.setJdbcUrl("jdbc:postgresql://" + HOST + ":5432/app");
            assertThatThrownBy(() -> RdsIamHikariCredentials.install(noUser, tokens)).hasMessageContaining("database user is missing");
        }
    }
}
