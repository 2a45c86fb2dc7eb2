package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.sdk.IrsaCredentialsProvider;
import io.agroal.api.AgroalDataSource;
import io.quarkus.credentials.CredentialsProvider;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Quarkus's data sources on a real PostgreSQL ({@link RealPostgres}) with
 * {@code quarkus.datasource.credentials-provider=irsa-rds}: the reactive SQL client and Agroal each log in as the IAM
 * user with a token for every new connection, the server's LDAP bind (the test kit's verifier) accepting it as RDS
 * would; every token is signed with the session's key, from one AssumeRoleWithWebIdentity. A decorator records how
 * the clients call the provider: the reactive client on the pool's event loop, answered there while a token is held.
 * Skipped, saying why, where PostgreSQL cannot be run.
 */
@ExtendWith(RealPostgres.Required.class)
class PostgresDataSourcesTest {
    static final String SESSION = "quarkus-pg-e2e";
    static final int PORT = RealPostgres.port();
    static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class, RealPostgres.class,
                    Observed.class, Observed.Call.class, ArcErrors.class))
            // the beans, the decorated irsa-rds provider among them, were destroyed without an error
            .setAfterAllCustomizer(() -> assertThat(ArcErrors.seen()).as("errors ArC logged").isEmpty()))
            .overrideConfigKey("quarkus.irsa.session-name", SESSION)
            .overrideConfigKey("quarkus.datasource.db-kind", "postgresql")
            .overrideConfigKey("quarkus.datasource.devservices.enabled", "false")
            .overrideConfigKey("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + PORT + "/postgres")
            // the local server has no TLS
            .overrideConfigKey("quarkus.datasource.jdbc.url",
                    "jdbc:postgresql://127.0.0.1:" + PORT + "/postgres?sslmode=disable")
            .overrideConfigKey("quarkus.datasource.credentials-provider", "irsa-rds")
            .overrideConfigKey("quarkus.datasource.credentials-provider-name", "irsa-rds")
            // 127.0.0.1 is no RDS host name: the region is quarkus.irsa.region's, as the verifier's
            .overrideConfigKey("quarkus.irsa.rds.host", "127.0.0.1")
            .overrideConfigKey("quarkus.irsa.rds.port", String.valueOf(PORT))
            .overrideConfigKey("quarkus.irsa.rds.user", RealPostgres.USER);

    /**
     * Records each call Quarkus's data sources make to the {@code irsa-rds} provider: which method, on which thread,
     * and on which thread the credentials came. Never the credentials themselves.
     */
    @Decorator
    @Priority(10)
    static class Observed implements CredentialsProvider {
        static final List<Call> CALLS = new CopyOnWriteArrayList<>();

        record Call(String method, String caller, boolean onEventLoop, String deliveredOn) {
        }

        @Inject
        @Delegate
        @Any
        CredentialsProvider delegate;

        @Override
        public Map<String, String> getCredentials(String name) {
            CALLS.add(new Call("getCredentials", Thread.currentThread().getName(), Context.isOnEventLoopThread(),
                    Thread.currentThread().getName()));
            return delegate.getCredentials(name);
        }

        @Override
        public Uni<Map<String, String>> getCredentialsAsync(String name) {
            String caller = Thread.currentThread().getName();
            boolean onEventLoop = Context.isOnEventLoopThread();
            return delegate.getCredentialsAsync(name).invoke(c -> CALLS.add(new Call("getCredentialsAsync", caller,
                    onEventLoop, Thread.currentThread().getName())));
        }
    }

    /**
     * Collects the errors ArC logs, from startup to after the application stopped (when it destroys the beans and
     * logs, rather than throws, what fails then).
     */
    @Singleton
    static class ArcErrors {
        private static final String KEY = "irsa.quarkus.test.arc-errors";

        void collect(@Observes StartupEvent start) {
            List<String> errors = new CopyOnWriteArrayList<>();
            SharedState.get().put(KEY, errors);
            java.util.logging.Logger.getLogger("io.quarkus.arc").addHandler(new Handler() {
                @Override
                public void publish(LogRecord r) {
                    if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
                        errors.add(new SimpleFormatter().formatMessage(r) + (r.getThrown() == null ? ""
                                : ": " + r.getThrown()));
                    }
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            });
        }

        @SuppressWarnings("unchecked")
        static List<String> seen() {
            return (List<String>) SharedState.get().getOrDefault(KEY, List.of("(never started)"));
        }
    }

    @Inject
    Pool reactive;

    @Inject
    AgroalDataSource jdbc;

    @Inject
    IrsaCredentialsProvider irsa;

    @Inject
    Vertx vertx;

    @Test
    void theReactiveClientLogsInAsTheIamUserWithATokenForEachNewConnection() {
        assertThat(Observed.CALLS).as("the pool asks once when it is created, at startup, off any event loop")
                .first().satisfies(c -> {
                    assertThat(c.method()).isEqualTo("getCredentialsAsync");
                    assertThat(c.onEventLoop()).isFalse();
                });
        int verdicts = RealPostgres.verdicts().size();
        int calls = Observed.CALLS.size();
        // as an application's request handler does: the connections are asked for on an event loop
        Context loop = vertx.getOrCreateContext();
        Executor onLoop = r -> loop.runOnContext(v -> r.run());
        SqlConnection a = reactive.getConnection().runSubscriptionOn(onLoop).await().atMost(WAIT);
        SqlConnection b = reactive.getConnection().runSubscriptionOn(onLoop).await().atMost(WAIT); // a still open
        try {
            assertThat(query(a, "select current_user")).isEqualTo(RealPostgres.USER);
            assertThat(query(b, "select 'a query that runs: ' || (6 * 7)::text")).isEqualTo("a query that runs: 42");
        } finally {
            a.closeAndAwait();
            b.closeAndAwait();
        }
        assertLoggedInWithTheSessionsKey(RealPostgres.verdictsSince(verdicts));
        assertThat(Observed.CALLS.subList(calls, Observed.CALLS.size()))
                .as("one call per new connection, on the pool's event loop, answered there: the token was held")
                .hasSize(2).allSatisfy(c -> {
                    assertThat(c.method()).isEqualTo("getCredentialsAsync");
                    assertThat(c.onEventLoop()).isTrue();
                    assertThat(c.deliveredOn()).isEqualTo(c.caller());
                });
    }

    @Test
    void agroalLogsInAsTheIamUserWithATokenForEachNewConnection() throws Exception {
        int verdicts = RealPostgres.verdicts().size();
        int calls = Observed.CALLS.size();
        try (Connection a = jdbc.getConnection(); Connection b = jdbc.getConnection()) {
            assertThat(query(a, "select current_user")).isEqualTo(RealPostgres.USER);
            assertThat(query(b, "select current_user")).isEqualTo(RealPostgres.USER);
        }
        assertLoggedInWithTheSessionsKey(RealPostgres.verdictsSince(verdicts));
        assertThat(Observed.CALLS.subList(calls, Observed.CALLS.size())).as("one call per new connection")
                .hasSize(2).allSatisfy(c -> assertThat(c.method()).isEqualTo("getCredentialsAsync"));
    }

    @Test
    void theServerRefusesALoginWithoutAValidToken() {
        int verdicts = RealPostgres.verdicts().size();
        Properties login = new Properties();
        login.setProperty("user", RealPostgres.USER);
        login.setProperty("password", "not-an-iam-token");
        assertThatThrownBy(() -> new org.postgresql.Driver()
                .connect("jdbc:postgresql://127.0.0.1:" + PORT + "/postgres?sslmode=disable", login).close())
                .hasMessageContaining("LDAP authentication failed for user \"" + RealPostgres.USER + "\"");
        assertThat(RealPostgres.verdictsSince(verdicts)).singleElement()
                .satisfies(v -> assertThat(v.get(0)).isNotEqualTo("ACCEPTED"));
    }

    /** Each login accepted, its token signed with the session's key; the session assumed the role once. */
    private void assertLoggedInWithTheSessionsKey(List<List<String>> verdicts) {
        String key = irsa.resolveCredentials().accessKeyId();
        assertThat(verdicts).as(() -> "one login per new connection: " + verdicts).hasSize(2).allSatisfy(v -> {
            assertThat(v.get(0)).isEqualTo("ACCEPTED");
            assertThat(v.get(1)).as("the access key that signed the token").isEqualTo(key);
            assertThat(v.get(2)).endsWith("assumed-role/app-role/" + SESSION);
        });
        assertThat(Fixture.assumeRoleCalls(SESSION)).as("AssumeRoleWithWebIdentity calls for the session").isEqualTo(1);
    }

    private static String query(SqlConnection c, String sql) {
        return c.query(sql).execute().await().atMost(WAIT).iterator().next().getString(0);
    }

    private static String query(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }
}
