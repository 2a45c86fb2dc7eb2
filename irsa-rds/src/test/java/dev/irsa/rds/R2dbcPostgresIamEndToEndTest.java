package dev.irsa.rds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.SettingsSource;
import dev.irsa.rds.internal.RdsTokenSigner;
import dev.irsa.rds.r2dbc.RdsIamR2dbc;
import dev.irsa.rds.spring.IrsaR2dbcAutoConfiguration;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.rds.RdsAuthTokenVerifier;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * R2DBC on the real PostgreSQL of {@link PostgresIamAuthEndToEndTest}: r2dbc-postgresql logs in with a token per
 * connection ({@link RdsIamR2dbc}), directly and through Spring Boot's auto-configured {@code ConnectionFactory}
 * ({@code irsa.rds.enabled=true}); the database (its LDAP bind, checked by the test kit's verifier) refuses a tampered
 * and a stale token. Skipped, saying why, where PostgreSQL is absent.
 */
class R2dbcPostgresIamEndToEndTest {
    static final String REGION = "us-west-2";
    static final String USER = "app_user";

    static IrsaEnvironment env;
    static LdapBindResponder ldap;
    static LocalPostgres pg;
    static final List<RdsAuthTokenVerifier.Verdict> verdicts = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        String why = LocalPostgres.unavailableReason().orElse(null);
        Assumptions.assumeTrue(why == null, () -> "Skipping the R2DBC PostgreSQL end-to-end test: " + why);
        env = IrsaEnvironment.builder().start();
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
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "postgres", "");
             java.sql.Statement s = c.createStatement()) {
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

    static IrsaCredentialsProvider credentials(String session) {
        return IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                .roleSessionName(session).shared(false).build();
    }

    static ConnectionFactory factory(Supplier<CharSequence> password) {
        return new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration.builder().host("127.0.0.1")
                .port(pg.port()).username(USER).database("postgres").password(password)
                .connectTimeout(Duration.ofSeconds(10)).build());
    }

    /** r2dbc-postgresql's {@code password(Publisher<CharSequence>)}: what {@link RdsIamR2dbc#install} sets too. */
    @SuppressWarnings("unchecked")
    static ConnectionFactory factory(org.reactivestreams.Publisher<? extends CharSequence> password) {
        return new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration.builder().host("127.0.0.1")
                .port(pg.port()).username(USER).database("postgres")
                .password((org.reactivestreams.Publisher<CharSequence>) password)
                .connectTimeout(Duration.ofSeconds(10)).build());
    }

    /** Opens a connection, runs the query, closes it: the query's one text value. */
    static String query(ConnectionFactory factory, String sql) {
        return Mono.usingWhen(Mono.from(factory.create()),
                        c -> Flux.from(c.createStatement(sql).execute())
                                .flatMap(r -> r.map((row, meta) -> row.get(0, String.class))).next(),
                        Connection::close)
                .block(Duration.ofSeconds(30));
    }

    @Test
    void r2dbcPostgresqlLogsInWithATokenPerConnectionAndTheDatabaseRefusesATamperedOrStaleOne() {
        try (IrsaCredentialsProvider credentials = credentials("r2dbc-e2e");
             RdsAuthTokens tokens = RdsAuthTokens.builder().credentialsProvider(credentials).build()) {
            RdsEndpoint endpoint = RdsEndpoint.of("127.0.0.1", pg.port(), USER, REGION);
            ConnectionFactory factory = factory(RdsIamR2dbc.passwordPublisher(tokens, endpoint));

            assertThat(query(factory, "select current_user")).isEqualTo(USER);
            assertThat(query(factory, "select 'a query that runs: ' || (6 * 7)::text")).isEqualTo("a query that runs: 42");
            assertThat(verdicts).as(() -> "one login per connection, each accepted: " + verdicts).hasSize(2)
                    .allMatch(RdsAuthTokenVerifier.Verdict::accepted);
            assertThat(verdicts.get(0).assumedRoleArn()).endsWith("assumed-role/app-role/r2dbc-e2e");
            assertThat(tokens.signatures()).as("the second connection reused the cached token").isEqualTo(1);
            assertThat(query(factory(RdsIamR2dbc.password(tokens, endpoint)), "select current_user"))
                    .as("the supplier form, for drivers that take no publisher").isEqualTo(USER);

            String token = tokens.token(endpoint);
            int sig = token.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
            String tampered = token.substring(0, sig) + (token.charAt(sig) == '0' ? '1' : '0') + token.substring(sig + 1);
            assertThatThrownBy(() -> query(factory(() -> tampered), "select 1"))
                    .hasMessageContaining("LDAP authentication failed for user \"" + USER + "\"");
            assertThat(verdicts.get(verdicts.size() - 1).reason()).isEqualTo(RdsAuthTokenVerifier.Reason.SIGNATURE_MISMATCH);

            // Signed with the current credentials but 16 minutes ago: past its 15 minutes.
            String stale = RdsTokenSigner.sign("127.0.0.1", pg.port(), USER, REGION, credentials.resolveCredentials(),
                    Instant.now().minus(Duration.ofMinutes(16)).truncatedTo(ChronoUnit.SECONDS));
            assertThatThrownBy(() -> query(factory(() -> stale), "select 1"))
                    .hasMessageContaining("LDAP authentication failed for user \"" + USER + "\"");
            assertThat(verdicts.get(verdicts.size() - 1).reason()).isEqualTo(RdsAuthTokenVerifier.Reason.EXPIRED_TOKEN);
        }
    }

    static Class<?> r2dbcAutoConfiguration() {
        for (String name : List.of("org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration",
                "org.springframework.boot.autoconfigure.r2dbc.R2dbcAutoConfiguration")) {
            try {
                return Class.forName(name);
            } catch (ClassNotFoundException e) {
                // the other Spring Boot line
            }
        }
        throw new IllegalStateException("No R2dbcAutoConfiguration on the class path");
    }

    @Test
    void springBootsAutoConfiguredConnectionFactoryLogsInWithTokensWhenIrsaRdsIsEnabled() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(r2dbcAutoConfiguration(), IrsaR2dbcAutoConfiguration.class))
                .withBean(AwsCredentialsProvider.class, () -> credentials("r2dbc-spring"))
                // the local PostgreSQL has no TLS; irsa-rds would otherwise require it, as RDS does for IAM logins
                .withPropertyValues("spring.r2dbc.url=r2dbc:postgresql://127.0.0.1:" + pg.port() + "/postgres?sslMode=disable",
                        "spring.r2dbc.username=" + USER, "irsa.rds.enabled=true",
                        // 127.0.0.1 is no RDS endpoint: switched on purpose, the region given
                        "irsa.rds.r2dbc.enabled=true", "irsa.rds.region=" + REGION)
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed().hasSingleBean(RdsAuthTokens.class);
                    ConnectionFactory factory = ctx.getBean(ConnectionFactory.class);
                    assertThat(query(factory, "select current_user")).isEqualTo(USER);
                    assertThat(query(factory, "select current_user")).isEqualTo(USER);
                    assertThat(verdicts).as(() -> "verdicts: " + verdicts).hasSizeGreaterThanOrEqualTo(2)
                            .allMatch(RdsAuthTokenVerifier.Verdict::accepted);
                    assertThat(verdicts.get(0).assumedRoleArn()).as("signed with the application's provider bean")
                            .endsWith("assumed-role/app-role/r2dbc-spring");
                });
    }
}
