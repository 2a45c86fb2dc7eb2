package dev.irsa.quarkus.deployment;

import com.sun.net.httpserver.HttpServer;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.IssuedCredentials;
import dev.irsa.testkit.rds.RdsAuthTokenVerifier;
import dev.irsa.testkit.rds.RdsIamDatabase;
import dev.irsa.testkit.s3.S3Emulator;
import dev.irsa.testkit.s3.S3Request;
import io.quarkus.test.QuarkusUnitTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One IRSA environment (OIDC issuer + STS emulator + projected token) and one loopback S3 fake per test JVM.
 *
 * <p>{@code QuarkusUnitTest} loads the test class again in the application's class loader, so static fields are
 * not shared between the class that configures the application and the instance whose test methods run. What both
 * need goes through {@link SharedState}, as JDK types only (strings, lists, functions), which both class loaders
 * see alike. The test kit's classes are loaded by each, so an {@link RdsIamDatabase} is started in the class loader
 * whose pool connects to it ({@link #rdsDatabase}), judging tokens by the one STS emulator's credentials.
 */
final class Fixture {
    private static final String CONFIG = "irsa.quarkus.test.config";
    private static final String ASSUMED_ROLE = "irsa.quarkus.test.assumed-role";
    private static final String S3_KEYS = "irsa.quarkus.test.s3-keys";
    private static final String STATE = "irsa.quarkus.test.state";
    private static final String ISSUED = "irsa.quarkus.test.issued";
    private static final String STS_CALLS = "irsa.quarkus.test.sts-calls";
    private static final String ASSUMED = "irsa.quarkus.test.assumed";
    private static final String VERIFIED_S3_KEYS = "irsa.quarkus.test.verified-s3-keys";
    /** The database the RDS test signs tokens for. */
    static final String RDS_HOST = "orders.cluster-abc123xyz.us-west-2.rds.amazonaws.com";
    /** The port of every test database. */
    static final int RDS_PORT = 5432;
    /** The running databases of this class loader, by host. */
    private static final Map<String, RdsIamDatabase> DATABASES = new ConcurrentHashMap<>();
    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/]+)/");

    private Fixture() {
    }

    private static Map<String, Object> shared() {
        return SharedState.get();
    }

    /** Gives the application {@link #config()}, and a free HTTP port (never a fixed one on a shared machine). */
    static QuarkusUnitTest configure(QuarkusUnitTest test) {
        test.overrideConfigKey("quarkus.http.test-port", "0");
        for (Map.Entry<String, String> e : config().entrySet()) {
            test.overrideConfigKey(e.getKey(), e.getValue());
        }
        return test;
    }

    /** {@code quarkus.irsa.*} (and {@code s3.endpoint}) for the running environment; starts it on first use. */
    @SuppressWarnings("unchecked")
    static Map<String, String> config() {
        synchronized (shared()) {
            Object config = shared().get(CONFIG);
            if (config == null) {
                config = start();
            }
            return (Map<String, String>) config;
        }
    }

    private static Map<String, String> start() {
        IrsaEnvironment env = IrsaEnvironment.start();
        List<String> s3Keys = new CopyOnWriteArrayList<>();
        HttpServer s3;
        try {
            s3 = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        s3.createContext("/", x -> {
            try (x) {
                x.getRequestBody().readAllBytes();
                String auth = x.getRequestHeaders().getFirst("Authorization");
                Matcher m = CREDENTIAL.matcher(auth == null ? "" : auth);
                s3Keys.add(m.find() ? m.group(1) : "(unsigned)");
                byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListAllMyBucketsResult"
                        + " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><ID>owner</ID></Owner><Buckets>"
                        + "<Bucket><Name>app-bucket</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>"
                        + "</Buckets></ListAllMyBucketsResult>").getBytes(StandardCharsets.UTF_8);
                x.getResponseHeaders().add("Content-Type", "application/xml");
                x.sendResponseHeaders(200, body.length);
                x.getResponseBody().write(body);
            }
        });
        s3.start();
        // the test kit's S3, which accepts only requests signed with credentials the STS emulator issued
        S3Emulator verifying = S3Emulator.builder().sts(env.sts()).bucket("app-bucket").start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            s3.stop(0);
            verifying.close();
            env.close();
        }, "irsa-quarkus-test-fixture-stop"));
        Map<String, String> config = Map.of(
                "quarkus.irsa.role-arn", env.roleArn(),
                "quarkus.irsa.token-file", env.tokenFile().toString(),
                "quarkus.irsa.region", env.region(),
                "quarkus.irsa.sts-endpoint", env.stsEndpoint().toString(),
                "s3.endpoint", "http://127.0.0.1:" + s3.getAddress().getPort(),
                "s3.verifying-endpoint", verifying.endpoint().toString());
        Function<String, String> assumedRole = akid -> env.sts().assumedRoleArnOf(akid).orElse("(not issued by STS)");
        // what STS issued under an access key: accessKeyId, secret, token, expiration, assumed role, account; or empty
        Function<String, List<Object>> issued = akid -> env.sts().issuedCredentials(akid)
                .<List<Object>>map(c -> List.of(c.accessKeyId(), c.secretAccessKey(), c.sessionToken(), c.expiration(),
                        c.assumedRoleArn(), c.accountId()))
                .orElse(List.of());
        // how many AssumeRoleWithWebIdentity calls STS answered for a role session name
        Function<String, Long> assumed = session -> env.sts().calls().all().stream()
                .filter(c -> c.action().equals("AssumeRoleWithWebIdentity") && c.succeeded()
                        && session.equals(c.roleSessionName()))
                .count();
        shared().put(ISSUED, issued);
        shared().put(STS_CALLS, (Function<String, Long>) action -> env.sts().calls().count(action));
        shared().put(ASSUMED, assumed);
        shared().put(CONFIG, config);
        shared().put(ASSUMED_ROLE, assumedRole);
        shared().put(S3_KEYS, s3Keys);
        shared().put(VERIFIED_S3_KEYS, (Supplier<List<String>>) () -> verifying.requests().stream()
                .filter(S3Request::accepted).map(S3Request::accessKeyId).toList());
        return config;
    }

    /** The role STS issued this access key for, or a placeholder when it issued no such key. */
    @SuppressWarnings("unchecked")
    static String assumedRoleOf(String accessKeyId) {
        config();
        return ((Function<String, String>) shared().get(ASSUMED_ROLE)).apply(accessKeyId);
    }

    /** {@return how many AssumeRoleWithWebIdentity calls the STS emulator answered for this role session name} */
    @SuppressWarnings("unchecked")
    static long assumeRoleCalls(String sessionName) {
        config();
        return ((Function<String, Long>) shared().get(ASSUMED)).apply(sessionName);
    }

    /**
     * The test kit's verifier, judging tokens as RDS does by the credentials the one STS emulator issued, in this
     * class loader.
     */
    @SuppressWarnings("unchecked")
    static RdsAuthTokenVerifier verifier() {
        config();
        Function<String, List<Object>> issued = (Function<String, List<Object>>) shared().get(ISSUED);
        return RdsAuthTokenVerifier.of(akid -> credentials(issued.apply(akid)), Clock.systemUTC());
    }

    /**
     * The test kit's RDS database at {@code host}:{@link #RDS_PORT} in the environment's region, started in this class
     * loader on first use (the one whose pool reaches it through {@link RdsIamDatabase#DRIVER_CLASS_NAME}): it accepts
     * a login only with an IAM token signed for it and the user by credentials the STS emulator issued.
     */
    static RdsIamDatabase rdsDatabase(String host) {
        String region = config().get("quarkus.irsa.region");
        return DATABASES.computeIfAbsent(host, h -> {
            RdsIamDatabase db = RdsIamDatabase.builder().host(h).port(RDS_PORT).region(region).verifier(verifier())
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(db::close, "irsa-quarkus-test-rds-stop"));
            return db;
        });
    }

    private static Optional<IssuedCredentials> credentials(List<Object> c) {
        return c.isEmpty() ? Optional.empty() : Optional.of(new IssuedCredentials((String) c.get(0), (String) c.get(1),
                (String) c.get(2), (Instant) c.get(3), (String) c.get(4), (String) c.get(5)));
    }

    /** {@return the JDBC URL of the database {@link #rdsDatabase} starts at {@code host}} */
    static String rdsJdbcUrl(String host, String database) {
        return RdsIamDatabase.URL_PREFIX + host + ":" + RDS_PORT + "/" + database;
    }

    /** How many {@code action} requests (e.g. {@code AssumeRoleWithWebIdentity}) the STS emulator received so far. */
    @SuppressWarnings("unchecked")
    static long stsCalls(String action) {
        config();
        return ((Function<String, Long>) shared().get(STS_CALLS)).apply(action);
    }

    /** The access keys that signed requests to the S3 fake, in order. */
    @SuppressWarnings("unchecked")
    static List<String> s3Keys() {
        config();
        return List.copyOf((List<String>) shared().get(S3_KEYS));
    }

    /**
     * The access keys that signed the requests the verifying S3 emulator ({@code s3.verifying-endpoint}) accepted, in
     * order: only keys the STS emulator issued are accepted.
     */
    @SuppressWarnings("unchecked")
    static List<String> verifiedS3Keys() {
        config();
        return ((Supplier<List<String>>) shared().get(VERIFIED_S3_KEYS)).get();
    }

    /** Leaves a probe of the application's state for after it stopped (see {@link #probedState()}). */
    static void probeState(Supplier<String> probe) {
        shared().put(STATE, probe);
    }

    /** What the probe left by {@link #probeState} reads now. */
    @SuppressWarnings("unchecked")
    static String probedState() {
        Supplier<String> probe = (Supplier<String>) shared().get(STATE);
        return probe == null ? "(no probe)" : probe.get();
    }
}
