package dev.irsa.rds.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.rds.RdsAuthTokens;
import dev.irsa.rds.RdsEndpoint;
import io.r2dbc.spi.ConnectionFactoryOptions;
import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/** The password forms each driver takes, and the publisher's Reactive Streams manners. */
class RdsIamR2dbcTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    static final RdsEndpoint ENDPOINT = RdsEndpoint.of("mydb.abc123.us-west-2.rds.amazonaws.com", 5432, "app_user");

    static RdsAuthTokens tokens() {
        return RdsAuthTokens.builder().credentialsProvider(() -> AwsSessionCredentials.create("ASIAEXAMPLEKEYID0001",
                "secret", "session")).build();
    }

    @Test
    void postgresqlAndMysqlGetAPasswordPublisherSubscribedPerConnection() {
        try (RdsAuthTokens tokens = tokens()) {
            ConnectionFactoryOptions.Builder pg = ConnectionFactoryOptions.parse("r2dbc:postgresql://h/db").mutate();
            RdsIamR2dbc.install(pg, "postgresql", tokens, ENDPOINT);
            ConnectionFactoryOptions built = pg.build();
            assertThat(built.getValue(ConnectionFactoryOptions.USER)).isEqualTo("app_user");
            Object password = built.getValue(ConnectionFactoryOptions.PASSWORD);
            assertThat(password).as("a publisher: the driver's event loop never waits for it").isInstanceOf(Publisher.class);
            assertThat(Mono.from((Publisher<?>) password).block().toString()).isEqualTo(tokens.token(ENDPOINT))
                    .startsWith("mydb.abc123.us-west-2.rds.amazonaws.com:5432/?DBUser=app_user&Action=connect&");
            assertThat(password.toString()).as("no token in toString").doesNotContain("X-Amz").contains("app_user@");
            assertThat(built.toString()).doesNotContain("X-Amz");

            ConnectionFactoryOptions.Builder my = ConnectionFactoryOptions.parse("r2dbc:mysql://h/db").mutate();
            RdsIamR2dbc.install(my, "mysql", tokens, ENDPOINT);
            @SuppressWarnings("unchecked") // r2dbc-spi 1.0: getValue answers Object
            Publisher<String> publisher = (Publisher<String>) my.build().getValue(RdsIamR2dbc.PASSWORD_PUBLISHER);
            assertThat(Mono.from(publisher).block()).isEqualTo(tokens.token(ENDPOINT));
            assertThat(publisher.toString()).doesNotContain("X-Amz");

            assertThatThrownBy(() -> RdsIamR2dbc.install(ConnectionFactoryOptions.builder(), "h2", tokens, ENDPOINT))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("r2dbc-postgresql (driver postgresql) and r2dbc-mysql (driver mysql)");
        }
    }

    static Object option(ConnectionFactoryOptions.Builder options, String name) {
        return options.build().getValue(io.r2dbc.spi.Option.valueOf(name));
    }

    @Test
    void installRequiresTlsUnlessTheOptionsChooseAnSslModeAndWarnsWhenTheyTurnItOffForRds() {
        try (RdsAuthTokens tokens = tokens()) {
            // r2dbc-postgresql's default is no TLS, which RDS refuses for IAM logins and DSQL for any
            ConnectionFactoryOptions.Builder pg = ConnectionFactoryOptions.parse("r2dbc:postgresql://h/db").mutate();
            RdsIamR2dbc.install(pg, "postgresql", tokens, ENDPOINT);
            assertThat(option(pg, "sslMode")).isEqualTo("require");
            ConnectionFactoryOptions.Builder my = ConnectionFactoryOptions.parse("r2dbc:mysql://h/db").mutate();
            RdsIamR2dbc.install(my, "mysql", tokens, ENDPOINT);
            assertThat(option(my, "sslMode")).isEqualTo("REQUIRED");

            // a mode chosen in the URL (either spelling) or the ssl option is kept
            for (String url : List.of("r2dbc:postgresql://h/db?sslMode=verify-full", "r2dbc:postgresql://h/db?sslmode=verify-ca",
                    "r2dbc:postgresql://h/db?ssl=true")) {
                ConnectionFactoryOptions.Builder chosen = ConnectionFactoryOptions.parse(url).mutate();
                RdsIamR2dbc.install(chosen, "postgresql", tokens, ENDPOINT);
                assertThat(option(chosen, "sslMode")).as(url).isEqualTo(url.contains("sslMode=") ? "verify-full" : null);
            }
            try (dev.irsa.rds.LogCapture logs = new dev.irsa.rds.LogCapture()) {
                ConnectionFactoryOptions.Builder off = ConnectionFactoryOptions.parse("r2dbc:postgresql://h/db?sslMode=disable").mutate();
                RdsIamR2dbc.install(off, "postgresql", tokens, ENDPOINT);
                assertThat(option(off, "sslMode")).isEqualTo("disable");
                assertThat(logs.all()).contains("sslMode=disable").contains("refuses IAM authentication without TLS");
            }
            try (dev.irsa.rds.LogCapture logs = new dev.irsa.rds.LogCapture()) {
                ConnectionFactoryOptions.Builder local = ConnectionFactoryOptions.parse("r2dbc:postgresql://h/db?sslMode=disable").mutate();
                RdsIamR2dbc.install(local, "postgresql", tokens, RdsEndpoint.of("127.0.0.1", 5432, "app_user", "us-west-2"));
                assertThat(logs.all()).as("no RDS endpoint: a tunnel or a test database").doesNotContain("refuses IAM");
            }
        }
    }

    @Test
    void theRealR2dbcMysqlTakesThePublisherOptionAndAsksItForEachConnection() throws Exception {
        assertThat(RdsIamR2dbc.PASSWORD_PUBLISHER).isEqualTo(io.asyncer.r2dbc.mysql.MySqlConnectionFactoryProvider.PASSWORD_PUBLISHER);
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        AtomicInteger asked = new AtomicInteger();
        try (RdsAuthTokens tokens = RdsAuthTokens.builder().credentialsProvider(() -> {
            asked.incrementAndGet();
            return AwsSessionCredentials.create("ASIAEXAMPLEKEYID0001", "secret", "session");
        }).build()) {
            ConnectionFactoryOptions.Builder options = ConnectionFactoryOptions.parse(
                    "r2dbc:mysql://127.0.0.1:" + closedPort + "/app").mutate();
            RdsIamR2dbc.install(options, "mysql", tokens, RdsEndpoint.of("mydb.abc123.us-west-2.rds.amazonaws.com", 3306, "app_user"));
            io.r2dbc.spi.ConnectionFactory factory = io.r2dbc.spi.ConnectionFactories.get(options.build());
            assertThat(factory).isInstanceOf(io.asyncer.r2dbc.mysql.MySqlConnectionFactory.class);
            for (int i = 1; i <= 2; i++) {
                assertThatThrownBy(() -> Mono.from(factory.create()).block(java.time.Duration.ofSeconds(10)))
                        .as("nothing listens there").isNotNull();
                assertThat(asked).as("a token was fetched for connection attempt " + (asked.get())).hasValue(i);
            }
        }
    }

    @Test
    void thePublisherIsColdAndKeepsTheReactiveStreamsRules() {
        AtomicInteger calls = new AtomicInteger();
        TokenPublisher publisher = new TokenPublisher(
                () -> CompletableFuture.completedFuture("token-" + calls.incrementAndGet()), "test");
        assertThat(Mono.from(publisher).block()).isEqualTo("token-1");
        assertThat(Mono.from(publisher).block()).as("each subscription fetches anew").isEqualTo("token-2");

        List<String> signals = new ArrayList<>();
        Subscription[] subscription = new Subscription[1];
        publisher.subscribe(recorder(signals, subscription));
        assertThat(calls).as("nothing fetched before a request").hasValue(2);
        subscription[0].request(0);
        subscription[0].request(1);
        assertThat(signals).containsExactly("onSubscribe", "onError IllegalArgumentException");

        signals.clear();
        publisher.subscribe(recorder(signals, subscription));
        subscription[0].cancel();
        subscription[0].request(1);
        assertThat(signals).as("nothing after cancel").containsExactly("onSubscribe");
        assertThat(calls).hasValue(2);

        signals.clear();
        new TokenPublisher(() -> CompletableFuture.failedFuture(new IllegalStateException("no credentials")), "test")
                .subscribe(recorder(signals, subscription));
        subscription[0].request(Long.MAX_VALUE);
        assertThat(signals).containsExactly("onSubscribe", "onError IllegalStateException");
    }

    @Test
    void thePasswordPublisherNeverBlocksTheSubscribingThread(IrsaEnvironment env) throws Exception {
        // A provider that cannot answer yet (an STS call under way): the subscribing thread (a driver's event loop)
        // must return at once; the token comes later, from a token-source thread.
        CountDownLatch stsAnswers = new CountDownLatch(1);
        ExecutorService eventLoop = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "test-event-loop");
            t.setDaemon(true);
            return t;
        });
        try (RdsAuthTokens tokens = RdsAuthTokens.builder().credentialsProvider(() -> {
            try {
                stsAnswers.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return AwsSessionCredentials.create("ASIAEXAMPLEKEYID0001", "secret", "session");
        }).build()) {
            CompletableFuture<String> token = new CompletableFuture<>();
            AtomicReference<String> deliveredOn = new AtomicReference<>();
            Future<?> subscribed = eventLoop.submit(() -> RdsIamR2dbc.passwordPublisher(tokens, ENDPOINT)
                    .subscribe(requestingOne(token, deliveredOn)));
            try {
                // the provider blocks until released below, so a blocked subscription still fails here; 10 s is
                // slack for a loaded machine, not a limit on the provider
                subscribed.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("subscribing to the password publisher blocked its thread while the"
                        + " credentials provider could not answer");
            } finally {
                stsAnswers.countDown();
            }
            assertThat(token.get(10, TimeUnit.SECONDS)).startsWith("mydb.abc123.us-west-2.rds.amazonaws.com:5432/?");
            assertThat(deliveredOn.get()).startsWith("irsa-rds-token-");
        } finally {
            eventLoop.shutdownNow();
        }

        // An IRSA session with credentials at hand and the token cached: answered at once, on the subscribing thread.
        try (IrsaCredentialsProvider p = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("r2dbc-test")
                .shared(false).build();
             RdsAuthTokens tokens = RdsAuthTokens.builder().credentialsProvider(p).build()) {
            String cached = tokens.token(ENDPOINT);
            long signed = tokens.signatures();
            CompletableFuture<String> token = new CompletableFuture<>();
            AtomicReference<String> deliveredOn = new AtomicReference<>();
            RdsIamR2dbc.passwordPublisher(tokens, ENDPOINT).subscribe(requestingOne(token, deliveredOn));
            assertThat(token).as("completed within subscribe").isCompletedWithValue(cached);
            assertThat(deliveredOn.get()).isEqualTo(Thread.currentThread().getName());
            assertThat(tokens.signatures()).isEqualTo(signed);
        }
    }

    static Subscriber<String> requestingOne(CompletableFuture<String> value, AtomicReference<String> deliveredOn) {
        return new Subscriber<>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.request(1);
            }

            @Override
            public void onNext(String s) {
                deliveredOn.set(Thread.currentThread().getName());
                value.complete(s);
            }

            @Override
            public void onError(Throwable t) {
                value.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
            }
        };
    }

    static Subscriber<String> recorder(List<String> signals, Subscription[] subscription) {
        return new Subscriber<>() {
            @Override
            public void onSubscribe(Subscription s) {
                subscription[0] = s;
                signals.add("onSubscribe");
            }

            @Override
            public void onNext(String s) {
                signals.add("onNext");
            }

            @Override
            public void onError(Throwable t) {
                signals.add("onError " + t.getClass().getSimpleName());
            }

            @Override
            public void onComplete() {
                signals.add("onComplete");
            }
        };
    }
}
