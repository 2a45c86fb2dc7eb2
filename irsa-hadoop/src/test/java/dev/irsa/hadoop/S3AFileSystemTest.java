package dev.irsa.hadoop;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.s3a.Constants;
import org.apache.hadoop.util.VersionInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two real S3A filesystems configured with {@code fs.s3a.aws.credentials.provider=<our class>}: S3A builds and closes
 * our provider itself. The S3 side is a loopback stub that answers {@code HEAD} and records who signed each request;
 * the credentials are the STS emulator's.
 */
class S3AFileSystemTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    /** One signed S3 request: its path, the access key in its SigV4 {@code Authorization} header, its session token. */
    record Signed(String path, String accessKeyId, String sessionToken) {
    }

    private final Map<String, String> systemProperties = new LinkedHashMap<>();
    private final List<Signed> requests = new CopyOnWriteArrayList<>();
    private HttpServer s3;

    @BeforeEach
    void startS3Stub() throws Exception {
        s3 = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s3.createContext("/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String akid = auth == null || !auth.contains("Credential=") ? null
                    : auth.substring(auth.indexOf("Credential=") + 11, auth.indexOf('/', auth.indexOf("Credential=")));
            requests.add(new Signed(exchange.getRequestURI().getPath(), akid,
                    exchange.getRequestHeaders().getFirst("X-Amz-Security-Token")));
            exchange.getResponseHeaders().add("Last-Modified", "Sun, 29 Nov 2026 00:00:00 GMT");
            exchange.getResponseHeaders().add("ETag", "\"0123456789abcdef0123456789abcdef\"");
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().add("Content-Length", "5");
                exchange.sendResponseHeaders(200, -1);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
            exchange.close();
        });
        s3.start();
    }

    @AfterEach
    void stop() {
        s3.stop(0);
        systemProperties.keySet().forEach(System::clearProperty);
        systemProperties.clear();
    }

    private Configuration conf(IrsaEnvironment env, String sessionName) {
        systemProperties.put("aws.roleArn", env.roleArn());
        systemProperties.put("aws.webIdentityTokenFile", env.tokenFile().toString());
        systemProperties.put("aws.region", env.region());
        systemProperties.put("aws.endpointUrlSts", env.stsEndpoint().toString());
        systemProperties.put("aws.roleSessionName", sessionName);
        systemProperties.forEach(System::setProperty);

        Configuration conf = new Configuration(); // with Hadoop's defaults (core-default.xml), as a deployment has
        conf.set(Constants.AWS_CREDENTIALS_PROVIDER, IrsaS3ACredentialsProvider.class.getName());
        conf.set(Constants.ENDPOINT, "http://127.0.0.1:" + s3.getAddress().getPort());
        conf.set(Constants.AWS_REGION, env.region());
        conf.setBoolean(Constants.PATH_STYLE_ACCESS, true);
        conf.setBoolean(Constants.SECURE_CONNECTIONS, false);
        conf.setInt(Constants.S3A_BUCKET_PROBE, 0);
        conf.setInt(Constants.MAX_ERROR_RETRIES, 0);
        conf.setInt(Constants.RETRY_LIMIT, 0);
        return conf;
    }

    @Test
    void twoFilesystemsShareOneSessionAndClosingOneLeavesTheOtherSigning(IrsaEnvironment env) throws Exception {
        Assumptions.assumeFalse(Runtime.version().feature() >= 23 && VersionInfo.getVersion().startsWith("3.4."),
                "Hadoop " + VersionInfo.getVersion() + " cannot start a filesystem on Java " + Runtime.version().feature()
                        + " (its UserGroupInformation calls Subject.getSubject, which Java 23+ refuses): Hadoop's"
                        + " limitation, not ours; run on Java 17-22 or with the default Hadoop 3.5");
        Configuration conf = conf(env, "s3a-filesystems");
        long before = env.sts().calls().count("AssumeRoleWithWebIdentity");
        FileSystem first = FileSystem.newInstance(URI.create("s3a://bucket-a/"), conf);
        FileSystem second = FileSystem.newInstance(URI.create("s3a://bucket-b/"), conf);
        try {
            FileStatus a = first.getFileStatus(new Path("s3a://bucket-a/table/data.parquet"));
            FileStatus b = second.getFileStatus(new Path("s3a://bucket-b/table/data.parquet"));
            assertThat(a.getLen()).isEqualTo(5);
            assertThat(b.getLen()).isEqualTo(5);
            assertThat(requests).extracting(Signed::path).contains("/bucket-a/table/data.parquet",
                    "/bucket-b/table/data.parquet");
            assertThat(requests).allSatisfy(r -> {
                assertThat(r.accessKeyId()).startsWith("ASIA");
                assertThat(r.sessionToken()).isNotBlank();
            });
            assertThat(requests).extracting(Signed::accessKeyId).as("both filesystems sign with one session's keys")
                    .containsOnly(requests.get(0).accessKeyId());
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity") - before).isEqualTo(1);
        } finally {
            first.close(); // S3A closes its provider list, and with it our provider
        }
        try {
            requests.clear();
            second.getFileStatus(new Path("s3a://bucket-b/table/other.parquet"));
            assertThat(requests).isNotEmpty().allSatisfy(r -> assertThat(r.accessKeyId()).startsWith("ASIA"));
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity") - before)
                    .as("the other filesystem goes on, without an STS call of its own").isEqualTo(1);
        } finally {
            second.close();
        }
        // Both closed: nothing holds the session any more, so its threads end.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!ourThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ourThreads()).isEmpty();
    }

    @Test
    void cachedFilesystemsShareTheSessionAndCloseAllReleasesIt(IrsaEnvironment env) throws Exception {
        Assumptions.assumeFalse(Runtime.version().feature() >= 23 && VersionInfo.getVersion().startsWith("3.4."),
                "Hadoop " + VersionInfo.getVersion() + " cannot start a filesystem on Java 23+");
        Configuration conf = conf(env, "s3a-cached");
        long before = env.sts().calls().count("AssumeRoleWithWebIdentity");
        long sessions = dev.irsa.core.internal.SessionRegistry.global().size();
        try {
            FileSystem a = FileSystem.get(URI.create("s3a://bucket-a/"), conf); // Hadoop's cache, as most jobs use it
            assertThat(FileSystem.get(URI.create("s3a://bucket-a/"), conf)).as("cached").isSameAs(a);
            FileSystem b = FileSystem.get(URI.create("s3a://bucket-b/"), conf);
            a.getFileStatus(new Path("s3a://bucket-a/t/x.parquet"));
            b.getFileStatus(new Path("s3a://bucket-b/t/x.parquet"));
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity") - before).isEqualTo(1);
        } finally {
            FileSystem.closeAll(); // what Hadoop's shutdown hook does
        }
        assertThat(dev.irsa.core.internal.SessionRegistry.global().size()).isEqualTo(sessions);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!ourThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ourThreads()).as("closeAll released the session's threads").isEmpty();
    }

    private static List<Thread> ourThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("irsa-")
                && !t.getName().startsWith("irsa-testkit")).toList();
    }
}
