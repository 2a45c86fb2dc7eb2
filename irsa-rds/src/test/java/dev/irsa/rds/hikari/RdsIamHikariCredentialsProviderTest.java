package dev.irsa.rds.hikari;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.irsa.core.SettingsSource;
import dev.irsa.rds.RdsEndpoint;
import dev.irsa.rds.internal.ApplicationRds;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.StsCall;
import dev.irsa.testkit.rds.RdsAuthTokenVerifier;
import dev.irsa.testkit.rds.RdsIamDatabase;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * HikariCP's property-only configuration ({@code credentialsProviderClassName}, as in {@code hikari.properties} or
 * {@code spring.datasource.hikari.credentials-provider-class-name}): HikariCP creates the provider by class name with
 * no arguments, and it takes what to sign for and the credentials from system properties and the environment.
 */
class RdsIamHikariCredentialsProviderTest {
    static final String HOST = "orders.cluster-123456789012.us-west-2.rds.amazonaws.com";

    @Test
    void aPoolConfiguredOnlyByPropertiesLogsInWithTokensFromTheProcesssSharedSession() throws Exception {
        Map<String, String> props = new LinkedHashMap<>();
        try (IrsaEnvironment env = IrsaEnvironment.builder().roleName("hikari-by-name").start();
             RdsIamDatabase db = RdsIamDatabase.forEmulator(env.sts()).host(HOST).port(5432).start()) {
            // what the pod's environment gives IrsaCredentialsProvider.create(), here as system properties
            props.put("aws.roleArn", env.roleArn());
            props.put("aws.webIdentityTokenFile", env.tokenFile().toString());
            props.put("aws.region", env.region());
            props.put("aws.endpointUrlSts", env.stsEndpoint().toString());
            props.put("irsa.rds.host", HOST);
            props.put("irsa.rds.port", "5432");
            props.put("irsa.rds.user", "app_user");
            props.forEach(System::setProperty);

            Properties hikari = new Properties();
            hikari.setProperty("jdbcUrl", db.jdbcUrl());
            hikari.setProperty("username", "app_user");
            hikari.setProperty("driverClassName", db.driverClassName());
            hikari.setProperty("credentialsProviderClassName", RdsIamHikariCredentialsProvider.class.getName());
            hikari.setProperty("maximumPoolSize", "1");
            try (HikariDataSource a = new HikariDataSource(new HikariConfig(hikari));
                 HikariDataSource b = new HikariDataSource(new HikariConfig(hikari))) {
                assertThat(a.getCredentialsProvider()).isInstanceOfSatisfying(RdsIamHikariCredentialsProvider.class,
                        p -> assertThat(p.endpoint()).isEqualTo(new RdsEndpoint(HOST, 5432, "app_user", "us-west-2")));
                try (Connection c = a.getConnection(); Connection d = b.getConnection()) {
                    assertThat(c.isValid(1)).isTrue();
                    assertThat(d.isValid(1)).isTrue();
                }
            }
            assertThat(db.verdicts()).isNotEmpty().allMatch(RdsAuthTokenVerifier.Verdict::accepted);
            assertThat(env.sts().calls().all()).as("two pools, one session: one STS call")
                    .filteredOn(StsCall::succeeded).hasSize(1);
        } finally {
            props.keySet().forEach(System::clearProperty);
        }
    }

    @Test
    void missingSettingsAreNamedWhenHikariCreatesIt() {
        assertThatThrownBy(() -> new RdsIamHikariCredentialsProvider(SettingsSource.ofEnvironment(Map.of())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("irsa.rds.host").hasMessageContaining("IRSA_RDS_HOST")
                .hasMessageContaining("shows it neither the pool's jdbcUrl nor its username");
        assertThatThrownBy(() -> new RdsIamHikariCredentialsProvider(SettingsSource.ofEnvironment(
                Map.of("IRSA_RDS_HOST", HOST, "IRSA_RDS_PORT", "x", "IRSA_RDS_USER", "u"))))
                .hasMessageContaining("irsa.rds.port").hasMessageContaining("'x'");
        assertThatThrownBy(() -> new RdsIamHikariCredentialsProvider(SettingsSource.ofEnvironment(
                Map.of("IRSA_RDS_HOST", "127.0.0.1", "IRSA_RDS_PORT", "5432", "IRSA_RDS_USER", "u"))))
                .hasMessageContaining("region for the RDS endpoint 127.0.0.1 is missing");
        assertThat(new RdsIamHikariCredentialsProvider(SettingsSource.ofEnvironment(Map.of("IRSA_RDS_HOST", "127.0.0.1",
                "IRSA_RDS_PORT", "15432", "IRSA_RDS_USER", "u", "IRSA_RDS_REGION", "eu-west-1"))).endpoint())
                .isEqualTo(new RdsEndpoint("127.0.0.1", 15432, "u", "eu-west-1"));
    }

    @Test
    void hikariCannotCreateTheInstallableHookByName() {
        HikariConfig config = new HikariConfig();
        assertThatThrownBy(() -> config.setCredentialsProviderClassName(RdsIamHikariCredentials.class.getName()))
                .as("RdsIamHikariCredentials has no no-argument constructor").isInstanceOf(RuntimeException.class);
    }

    /**
     * Created by name while an application context lives, but in a pool no context binds (built outside its beans):
     * decided when first used, for the one context alive then; with two alive, which one is ambiguous, and it says so.
     */
    @Test
    void createdWhileApplicationsLiveItWaitsAndTakesTheOneAliveWhenFirstUsed() throws Exception {
        SettingsSource a = SettingsSource.ofEnvironment(Map.of("IRSA_RDS_HOST", HOST, "IRSA_RDS_PORT", "5432",
                "IRSA_RDS_USER", "a_user"));
        SettingsSource b = SettingsSource.ofEnvironment(Map.of("IRSA_RDS_HOST", "other.cluster-123456789012.us-west-2"
                + ".rds.amazonaws.com", "IRSA_RDS_PORT", "6432", "IRSA_RDS_USER", "b_user"));
        try (dev.irsa.rds.RdsAuthTokens tokens = dev.irsa.rds.RdsAuthTokens.builder().credentialsProvider(
                software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider.create()).build();
             AutoCloseable contextA = ApplicationRds.register(new ApplicationRds.Binding(a, () -> tokens, "A's properties"))) {
            RdsIamHikariCredentialsProvider p = new RdsIamHikariCredentialsProvider();
            assertThat(p).hasToString("RdsIamHikariCredentialsProvider[not yet bound]");
            try (AutoCloseable contextB = ApplicationRds.register(new ApplicationRds.Binding(b, () -> tokens, "B's"))) {
                assertThatThrownBy(p::endpoint).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("2 contexts").hasMessageContaining("ambiguous")
                        .hasMessageContaining("RdsIamHikariCredentials.install");
            }
            assertThat(p.endpoint()).isEqualTo(new RdsEndpoint(HOST, 5432, "a_user", "us-west-2"));
            assertThat(p).hasToString("RdsIamHikariCredentialsProvider[" + p.endpoint() + "]");
        }
    }
}
