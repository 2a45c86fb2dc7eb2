package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.testkit.rds.RdsAuthTokenVerifier;
import io.quarkus.arc.Unremovable;
import io.quarkus.credentials.CredentialsProvider;
import io.quarkus.credentials.runtime.CredentialsProviderFinder;
import io.quarkus.test.QuarkusUnitTest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code irsa-rds} Quarkus Credentials Provider (what {@code credentials-provider-name=irsa-rds} selects): the
 * configured user, and as password an RDS IAM token signed with the session's credentials, which the test kit's
 * {@code RdsIamDatabase} accepts as a database would; one database per credentials-provider name; and never the application's
 * default credentials provider (here a Vault-like one). The asynchronous form, which the reactive SQL clients call
 * for each new connection from a Vert.x event loop, serves a held token on that event loop and never blocks it.
 */
class RdsCredentialsProviderTest {
    static final String REPORTING_HOST = "reporting.cluster-abc123xyz.us-west-2.rds.amazonaws.com";
    static final String ANALYTICS_HOST = "analytics.cluster-abc123xyz.us-west-2.rds.amazonaws.com";

    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class, Vault.class)))
            .overrideConfigKey("quarkus.irsa.rds.host", Fixture.RDS_HOST)
            .overrideConfigKey("quarkus.irsa.rds.user", "app_user")
            .overrideConfigKey("quarkus.irsa.rds.reporting.host", REPORTING_HOST)
            .overrideConfigKey("quarkus.irsa.rds.reporting.user", "report_reader")
            // asked for by one test only, so that no token for it is held before
            .overrideConfigKey("quarkus.irsa.rds.analytics.host", ANALYTICS_HOST)
            .overrideConfigKey("quarkus.irsa.rds.analytics.user", "analyst");

    /** The application's other credentials provider, as Vault's extension makes one. */
    @Singleton
    @Named("vault")
    @Unremovable // found by CredentialsProviderFinder's lookup, not injected
    static class Vault implements CredentialsProvider {
        @Override
        public Map<String, String> getCredentials(String credentialsProviderName) {
            return Map.of(USER_PROPERTY_NAME, "from-vault");
        }
    }

    @Inject
    @Named("irsa-rds")
    CredentialsProvider rds;

    @Inject
    Vertx vertx;

    @Test
    void passwordIsAnIamTokenTheDatabaseAccepts() {
        Map<String, String> credentials = rds.getCredentials("irsa-rds");
        // the map is never printed: it holds the token
        assertThat(credentials.get(CredentialsProvider.USER_PROPERTY_NAME)).isEqualTo("app_user");
        String token = credentials.get(CredentialsProvider.PASSWORD_PROPERTY_NAME);
        // asserted as booleans: a failure message must not print the token
        assertThat(token.startsWith(Fixture.RDS_HOST + ":5432/?") && token.contains("Action=connect")).isTrue();
        assertAccepted(Fixture.rdsDatabase(Fixture.RDS_HOST).login("app_user", token));
        // the next connection reuses the cached token
        assertThat(rds.getCredentials("irsa-rds").get(CredentialsProvider.PASSWORD_PROPERTY_NAME).equals(token)).isTrue();
    }

    @Test
    void aSecondDataSourceGetsTokensForItsOwnDatabase() {
        Map<String, String> credentials = rds.getCredentials("reporting");
        assertThat(credentials.get(CredentialsProvider.USER_PROPERTY_NAME)).isEqualTo("report_reader");
        String token = credentials.get(CredentialsProvider.PASSWORD_PROPERTY_NAME);
        assertAccepted(Fixture.rdsDatabase(REPORTING_HOST).login("report_reader", token));
    }

    private static void assertAccepted(RdsAuthTokenVerifier.Verdict v) {
        assertThat(v.reason()).as(v.message()).isEqualTo(RdsAuthTokenVerifier.Reason.ACCEPTED);
        assertThat(v.assumedRoleArn()).startsWith("arn:aws:sts::111122223333:assumed-role/app-role/");
    }

    @Test
    void anUnknownNameFailsAndSaysWhatToSet() {
        assertThatThrownBy(() -> rds.getCredentials("orders-replica"))
                .hasMessageContaining("quarkus.irsa.rds.\"orders-replica\".host")
                .hasMessageContaining("reporting");
        // the reactive clients' form fails the same way, as a failed Uni rather than a throw on their event loop
        assertThatThrownBy(() -> rds.getCredentialsAsync("orders-replica").await().atMost(Duration.ofSeconds(10)))
                .hasMessageContaining("quarkus.irsa.rds.\"orders-replica\".host");
    }

    /**
     * What a reactive SQL client's new connection does (Quarkus's {@code ConnectOptionsSupplier}): asks
     * {@code getCredentialsAsync} on the pool's event loop. A token already held is answered there and then, during
     * the subscription: no hop to a worker thread (which a busy worker pool would delay), no blocking.
     */
    @Test
    void aHeldTokenIsServedOnTheEventLoopDuringTheSubscription() throws Exception {
        String held = rds.getCredentials("irsa-rds").get(CredentialsProvider.PASSWORD_PROPERTY_NAME);
        Delivery d = askOnAnEventLoop("irsa-rds");
        assertThat(d.thread()).as("the thread the credentials came on").isEqualTo(d.loop());
        assertThat(d.duringSubscribe()).as("delivered during the subscription").isTrue();
        assertThat(d.password().equals(held)).as("the held token").isTrue();
    }

    /**
     * No token held yet for this database: the event loop is not blocked while one is signed (or the session's
     * credentials are waited for); the credentials come later, from a thread that is not an event loop.
     */
    @Test
    void aFirstTokenIsSignedOffTheEventLoop() throws Exception {
        Delivery d = askOnAnEventLoop("analytics");
        // Signed on irsa-rds's own threads and delivered there; or, when the signing (fast: the session holds its
        // credentials) finished before the subscription listened, handed over during it. Never after a hop to
        // Quarkus's worker pool.
        if (d.thread().equals(d.loop())) {
            assertThat(d.duringSubscribe()).as(d.toString()).isTrue();
        } else {
            assertThat(d.thread()).as(d.toString()).startsWith("irsa-rds-token-");
            assertThat(d.onEventLoop()).as("delivered on an event loop").isFalse();
        }
        assertThat(d.user()).isEqualTo("analyst");
        assertAccepted(Fixture.rdsDatabase(ANALYTICS_HOST).login("analyst", d.password()));
    }

    /** How {@code getCredentialsAsync} answered a subscription made on a Vert.x event loop. */
    record Delivery(String loop, String thread, boolean onEventLoop, boolean duringSubscribe, String user,
                    String password) {
        @Override
        public String toString() {
            return "Delivery[loop=" + loop + ", thread=" + thread + ", duringSubscribe=" + duringSubscribe + "]";
        }
    }

    private Delivery askOnAnEventLoop(String name) throws Exception {
        CompletableFuture<Delivery> out = new CompletableFuture<>();
        Context loop = vertx.getOrCreateContext(); // from a non-Vert.x thread: a new event-loop context
        assertThat(loop.isEventLoopContext()).isTrue();
        loop.runOnContext(v -> {
            String loopThread = Thread.currentThread().getName();
            boolean[] subscribing = {true};
            rds.getCredentialsAsync(name).subscribe().with(c -> out.complete(new Delivery(loopThread,
                    Thread.currentThread().getName(), Context.isOnEventLoopThread(), subscribing[0],
                    c.get(CredentialsProvider.USER_PROPERTY_NAME), c.get(CredentialsProvider.PASSWORD_PROPERTY_NAME))),
                    out::completeExceptionally);
            subscribing[0] = false;
        });
        return out.get(30, TimeUnit.SECONDS);
    }

    @Test
    void theApplicationsDefaultProviderStaysTheDefault() {
        // what a data source with credentials-provider but no credentials-provider-name looks up
        assertThat(CredentialsProviderFinder.find(null).getCredentials("db"))
                .containsEntry(CredentialsProvider.USER_PROPERTY_NAME, "from-vault");
        assertThat(CredentialsProviderFinder.find("irsa-rds")).isSameAs(rds);
    }
}
