package dev.irsa.hadoop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.SessionState;
import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.TrustPolicy;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.s3a.AWSCredentialProviderList;
import org.apache.hadoop.fs.s3a.Constants;
import org.apache.hadoop.fs.s3a.S3AUtils;
import org.apache.hadoop.fs.s3a.auth.CredentialProviderListFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Our provider loaded the way S3A loads it: by the name in {@code fs.s3a.aws.credentials.provider}, through S3A's own
 * {@link CredentialProviderListFactory} (what {@code S3AFileSystem.initialize} calls, after
 * {@link S3AUtils#propagateBucketOptions}), and closed the way {@code S3AFileSystem.close()} closes it. Credentials come
 * from the STS emulator and are checked by a SigV4-verified {@code GetCallerIdentity}.
 */
class S3AProviderListTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private final Map<String, String> systemProperties = new LinkedHashMap<>();

    /** The pod's configuration, as the SDK's system properties (what S3A's provider reads when nothing else is set). */
    private void pod(IrsaEnvironment env, String sessionName) {
        systemProperties.put("aws.roleArn", env.roleArn());
        systemProperties.put("aws.webIdentityTokenFile", env.tokenFile().toString());
        systemProperties.put("aws.region", env.region());
        systemProperties.put("aws.endpointUrlSts", env.stsEndpoint().toString());
        systemProperties.put("aws.roleSessionName", sessionName);
        systemProperties.forEach(System::setProperty);
    }

    @AfterEach
    void clearSystemProperties() {
        systemProperties.keySet().forEach(System::clearProperty);
        systemProperties.clear();
    }

    private static Configuration s3aConfiguration() {
        Configuration conf = new Configuration(false);
        conf.set(Constants.AWS_CREDENTIALS_PROVIDER, IrsaS3ACredentialsProvider.class.getName());
        return conf;
    }

    /** What one S3A filesystem for {@code bucket} builds: the bucket's own options applied, then the provider list. */
    private static AWSCredentialProviderList filesystemCredentials(Configuration conf, String bucket) throws IOException {
        Configuration fsConf = S3AUtils.propagateBucketOptions(conf, bucket);
        return CredentialProviderListFactory.createAWSCredentialProviderList(URI.create("s3a://" + bucket + "/"), fsConf);
    }

    /** Signs {@code GetCallerIdentity} with the list's credentials; the emulator verifies the signature. */
    private static String callerArn(IrsaEnvironment env, AWSCredentialProviderList list) {
        // a view the SDK client cannot close: closing the list is the filesystem's business, as in S3A
        AwsCredentialsProvider view = list::resolveCredentials;
        try (StsClient sts = StsClient.builder().endpointOverride(env.stsEndpoint()).region(Region.of(env.region()))
                .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(view).build()) {
            return sts.getCallerIdentity().arn();
        }
    }

    private static long assumeCalls(IrsaEnvironment env) {
        return env.sts().calls().count("AssumeRoleWithWebIdentity");
    }

    private static List<Thread> ourThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("irsa-")
                && !t.getName().startsWith("irsa-testkit")).toList();
    }

    @Test
    void twoFilesystemsShareOneSessionAndOneClosingDoesNotStopTheOther(IrsaEnvironment env) throws Exception {
        pod(env, "s3a-shared");
        long before = assumeCalls(env);
        Configuration conf = s3aConfiguration();
        AWSCredentialProviderList first = filesystemCredentials(conf, "bucket-a");
        AWSCredentialProviderList second = filesystemCredentials(conf, "bucket-b");

        assertThat(first.getProviders()).singleElement().isInstanceOf(IrsaS3ACredentialsProvider.class)
                .asString().as("built by the (URI, Configuration) constructor").contains("s3a://bucket-a");
        String arn = callerArn(env, first);
        assertThat(arn).contains(":assumed-role/" + env.roleArn().substring(env.roleArn().indexOf('/') + 1)
                + "/s3a-shared");
        assertThat(callerArn(env, second)).isEqualTo(arn);
        AwsCredentials credentials = first.resolveCredentials();
        assertThat(second.resolveCredentials().accessKeyId()).isEqualTo(credentials.accessKeyId());
        assertThat(assumeCalls(env) - before).as("one STS call for both filesystems").isEqualTo(1);

        first.close(); // S3AFileSystem.close() closes its provider list, which closes our provider
        assertThat(first.isClosed()).isTrue();
        assertThat(callerArn(env, second)).as("the other filesystem goes on").isEqualTo(arn);
        IrsaS3ACredentialsProvider survivor = (IrsaS3ACredentialsProvider) second.getProviders().get(0);
        assertThat(survivor.delegate().state().orElseThrow().status()).isEqualTo(SessionState.Status.VALID);
        assertThat(assumeCalls(env) - before).as("and needed no STS call of its own").isEqualTo(1);

        // Nothing secret in what S3A logs about its providers (it logs the list at debug).
        AwsSessionCredentials session = (AwsSessionCredentials) credentials;
        assertThat(second.toString()).doesNotContain(session.secretAccessKey()).doesNotContain(session.sessionToken());

        second.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!ourThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ourThreads()).as("the last filesystem closed: the session's threads are gone").isEmpty();
    }

    @Test
    void aBucketGetsItsOwnRoleFromItsBucketOptions(IrsaEnvironment env) throws Exception {
        pod(env, "s3a-per-bucket");
        String logsRole = env.sts().createRole(env.accountId(), "logs-reader", TrustPolicy.forServiceAccount(
                env.accountId(), env.issuer().hostAndPath(), env.namespace(), env.serviceAccount()), Duration.ofHours(1));
        Configuration conf = s3aConfiguration();
        conf.set("fs.s3a.bucket.logs.irsa.role-arn", logsRole);
        long before = assumeCalls(env);

        long sessions = SessionRegistry.global().size();
        AWSCredentialProviderList logs = filesystemCredentials(conf, "logs");
        AWSCredentialProviderList data = filesystemCredentials(conf, "data");
        try {
            assertThat(callerArn(env, logs)).contains(":assumed-role/logs-reader/s3a-per-bucket");
            assertThat(callerArn(env, data)).as("other buckets keep the pod's role")
                    .contains(":assumed-role/" + env.roleArn().substring(env.roleArn().indexOf('/') + 1) + "/");
            assertThat(assumeCalls(env) - before).as("one session per role").isEqualTo(2);
        } finally {
            logs.close();
            data.close();
        }
        assertThat(SessionRegistry.global().size()).as("both sessions released").isEqualTo(sessions);
    }

    @Test
    void s3aReflectionContractFindsTheStaticCreateWithoutAConfiguration(IrsaEnvironment env) throws Exception {
        pod(env, "s3a-create");
        // Only S3A's reflection contract (S3AUtils.getInstanceFromReflection), not a filesystem: S3A itself always has
        // a Configuration. The contract: (URI, Configuration), then (Configuration), then static create(), then new X()
        AwsCredentialsProvider p = S3AUtils.getInstanceFromReflection(IrsaS3ACredentialsProvider.class.getName(), null,
                null, AwsCredentialsProvider.class, "create", Constants.AWS_CREDENTIALS_PROVIDER);
        try {
            assertThat(p).isInstanceOf(IrsaS3ACredentialsProvider.class);
            assertThat(p.resolveCredentials().accessKeyId()).startsWith("ASIA");
        } finally {
            ((IrsaS3ACredentialsProvider) p).close();
        }
    }

    @Test
    void aMisspeltIrsaKeyFailsTheFilesystemNamingTheKey(IrsaEnvironment env) {
        pod(env, "s3a-typo");
        Configuration conf = s3aConfiguration();
        conf.set("fs.s3a.irsa.role.arn", env.roleArn());
        assertThatThrownBy(() -> filesystemCredentials(conf, "bucket-a")).isInstanceOf(IOException.class)
                .hasStackTraceContaining("fs.s3a.irsa.*").hasStackTraceContaining("'role.arn'")
                .hasStackTraceContaining("role-arn, token-file, session-name, region, sts-endpoint");
    }

    @Test
    void withoutIrsaTheListMovesOnToItsNextProvider() throws Exception {
        Assumptions.assumeTrue(System.getenv("AWS_ROLE_ARN") == null && System.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")
                == null, "this machine is itself configured for IRSA or Pod Identity");
        Configuration conf = new Configuration(false);
        conf.set(Constants.AWS_CREDENTIALS_PROVIDER, IrsaS3ACredentialsProvider.class.getName() + ","
                + "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        conf.set(Constants.ACCESS_KEY, "AKIAEXAMPLEKEYS00000");
        conf.set(Constants.SECRET_KEY, "example-secret");
        AWSCredentialProviderList list = filesystemCredentials(conf, "bucket-a");
        try {
            assertThat(list.resolveCredentials().accessKeyId()).isEqualTo("AKIAEXAMPLEKEYS00000");
        } finally {
            list.close();
        }
    }

    @Test
    void filesystemsOpenedAndClosedInTurnMakeOneStsCallAndLeaveNoThread(IrsaEnvironment env) throws Exception {
        pod(env, "s3a-in-turn");
        long before = assumeCalls(env);
        long sessions = SessionRegistry.global().size();
        Configuration conf = s3aConfiguration();
        for (int i = 0; i < 5; i++) { // FileSystem.newInstance + close per job: each the only holder while it lives
            AWSCredentialProviderList fs = filesystemCredentials(conf, "bucket-a");
            try {
                assertThat(callerArn(env, fs)).contains("/s3a-in-turn");
            } finally {
                fs.close();
            }
            assertThat(SessionRegistry.global().size()).isEqualTo(sessions);
        }
        assertThat(assumeCalls(env) - before).as("the later filesystems resume the first one's credentials")
                .isEqualTo(1);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!ourThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ourThreads()).isEmpty();
    }

    @Test
    void aBadValueUnderAKnownKeyFailsTheFilesystemWithAHadoopMessage(IrsaEnvironment env) {
        pod(env, "s3a-bad-value");
        Configuration conf = s3aConfiguration();
        conf.set("fs.s3a.irsa.role-arn", "not-an-arn");
        assertThatThrownBy(() -> filesystemCredentials(conf, "bucket-a")).isInstanceOf(IOException.class)
                .hasStackTraceContaining("fs.s3a.irsa.*").hasStackTraceContaining("not-an-arn")
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain("Iceberg"));
    }

    @Test
    void aListThatFailsAfterBuildingOursLeavesNoHoldBehind(IrsaEnvironment env) {
        pod(env, "s3a-broken-list");
        long sessions = SessionRegistry.global().size();
        Configuration conf = new Configuration(false);
        conf.set(Constants.AWS_CREDENTIALS_PROVIDER, IrsaS3ACredentialsProvider.class.getName()
                + ",com.example.NoSuchProvider");
        // S3A builds ours, fails on the next and does not close what it built
        assertThatThrownBy(() -> filesystemCredentials(conf, "bucket-a")).isInstanceOf(IOException.class);
        assertThat(SessionRegistry.global().size()).as("our provider holds no session until it is used")
                .isEqualTo(sessions);
    }

    private static String stackTrace(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
