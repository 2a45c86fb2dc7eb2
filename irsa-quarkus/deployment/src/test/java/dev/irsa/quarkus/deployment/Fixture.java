package dev.irsa.quarkus.deployment;

import com.sun.net.httpserver.HttpServer;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.rds.RdsAuthTokenVerifier;
import io.quarkus.test.QuarkusUnitTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
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
 * see alike.
 */
final class Fixture {
    private static final String CONFIG = "irsa.quarkus.test.config";
    private static final String ASSUMED_ROLE = "irsa.quarkus.test.assumed-role";
    private static final String S3_KEYS = "irsa.quarkus.test.s3-keys";
    private static final String STATE = "irsa.quarkus.test.state";
    private static final String RDS_VERDICT = "irsa.quarkus.test.rds-verdict";
    private static final String LOGINS = "irsa.quarkus.test.logins";
    /** The database the RDS test signs tokens for. */
    static final String RDS_HOST = "orders.cluster-abc123xyz.us-west-2.rds.amazonaws.com";
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
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            s3.stop(0);
            env.close();
        }, "irsa-quarkus-test-fixture-stop"));
        Map<String, String> config = Map.of(
                "quarkus.irsa.role-arn", env.roleArn(),
                "quarkus.irsa.token-file", env.tokenFile().toString(),
                "quarkus.irsa.region", env.region(),
                "quarkus.irsa.sts-endpoint", env.stsEndpoint().toString(),
                "s3.endpoint", "http://127.0.0.1:" + s3.getAddress().getPort());
        Function<String, String> assumedRole = akid -> env.sts().assumedRoleArnOf(akid).orElse("(not issued by STS)");
        RdsAuthTokenVerifier rds = RdsAuthTokenVerifier.forEmulator(env.sts());
        // token, host, user
        Function<List<String>, String> rdsVerdict = t -> {
            RdsAuthTokenVerifier.Verdict v = rds.verify(t.get(0), t.get(1), 5432, t.get(2), "us-west-2");
            return v.reason() + (v.accepted() ? " " + v.assumedRoleArn() : ": " + v.message());
        };
        shared().put(RDS_VERDICT, rdsVerdict);
        shared().put(LOGINS, new CopyOnWriteArrayList<String>());
        shared().put(CONFIG, config);
        shared().put(ASSUMED_ROLE, assumedRole);
        shared().put(S3_KEYS, s3Keys);
        return config;
    }

    /** The role STS issued this access key for, or a placeholder when it issued no such key. */
    @SuppressWarnings("unchecked")
    static String assumedRoleOf(String accessKeyId) {
        config();
        return ((Function<String, String>) shared().get(ASSUMED_ROLE)).apply(accessKeyId);
    }

    /**
     * What an RDS database at {@link #RDS_HOST}:5432 (us-west-2) makes of this token for user {@code app_user}: the
     * verdict's reason, and the role it was signed for or why it was refused.
     */
    static String rdsVerdict(String token) {
        return rdsVerdict(token, RDS_HOST, "app_user");
    }

    /** What an RDS database at {@code host}:5432 (us-west-2) makes of this token for {@code user}. */
    @SuppressWarnings("unchecked")
    static String rdsVerdict(String token, String host, String user) {
        config();
        return ((Function<List<String>, String>) shared().get(RDS_VERDICT)).apply(List.of(token, host, user));
    }

    /** Records what the verifying driver made of a login. */
    @SuppressWarnings("unchecked")
    static void recordLogin(String verdict) {
        config();
        ((List<String>) shared().get(LOGINS)).add(verdict);
    }

    /** The verifying driver's verdicts on the logins so far, in order. */
    @SuppressWarnings("unchecked")
    static List<String> logins() {
        config();
        return List.copyOf((List<String>) shared().get(LOGINS));
    }

    /** The access keys that signed requests to the S3 fake, in order. */
    @SuppressWarnings("unchecked")
    static List<String> s3Keys() {
        config();
        return List.copyOf((List<String>) shared().get(S3_KEYS));
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
