package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.SessionState;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.aws.AwsClientProperties;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Our provider loaded the way Apache Iceberg loads it: by the name in {@code client.credentials-provider}, through
 * iceberg-aws's own {@link AwsClientProperties} (which calls {@code create(Map)} with the
 * {@code client.credentials-provider.*} properties) and {@link S3FileIO}, the FileIO of Iceberg's catalogs, whose
 * {@code close()} closes its S3 client and so our provider. Credentials come from the STS emulator and are checked by a
 * SigV4-verified {@code GetCallerIdentity}.
 */
class IcebergCredentialsProviderTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private final Map<String, String> systemProperties = new LinkedHashMap<>();

    @AfterEach
    void clearSystemProperties() {
        systemProperties.keySet().forEach(System::clearProperty);
        systemProperties.clear();
    }

    /** A catalog's properties naming our provider, its settings under client.credentials-provider.*. */
    private static Map<String, String> catalogProperties(IrsaEnvironment env, String sessionName) {
        Map<String, String> p = new HashMap<>();
        p.put("client.credentials-provider", IrsaCredentialsProvider.class.getName());
        p.put("client.credentials-provider.role-arn", env.roleArn());
        p.put("client.credentials-provider.token-file", env.tokenFile().toString());
        p.put("client.credentials-provider.region", env.region());
        p.put("client.credentials-provider.sts-endpoint", env.stsEndpoint().toString());
        p.put("client.credentials-provider.session-name", sessionName);
        p.put("client.region", env.region());
        p.put("http-client.type", "urlconnection");
        return p;
    }

    /** The provider a FileIO's S3 client was built with, behind a view the STS client below cannot close. */
    private static AwsCredentialsProvider providerOf(S3Client s3) {
        return (AwsCredentialsProvider) s3.serviceClientConfiguration().credentialsProvider();
    }

    private static String callerArn(IrsaEnvironment env, AwsCredentialsProvider provider) {
        AwsCredentialsProvider view = provider::resolveCredentials;
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

    private static String roleName(IrsaEnvironment env) {
        return env.roleArn().substring(env.roleArn().indexOf('/') + 1);
    }

    @Test
    void twoCatalogsFileIOsShareOneSessionAndOneClosingDoesNotStopTheOther(IrsaEnvironment env) throws Exception {
        Map<String, String> props = catalogProperties(env, "iceberg-shared");
        long before = assumeCalls(env);
        S3FileIO first = new S3FileIO();
        first.initialize(props);
        S3FileIO second = new S3FileIO();
        second.initialize(props);

        AwsCredentialsProvider firstProvider = providerOf(first.client());
        AwsCredentialsProvider secondProvider = providerOf(second.client());
        assertThat(firstProvider).isInstanceOf(IrsaCredentialsProvider.class).isNotSameAs(secondProvider);
        String arn = callerArn(env, firstProvider);
        assertThat(arn).contains(":assumed-role/" + roleName(env) + "/iceberg-shared");
        assertThat(callerArn(env, secondProvider)).isEqualTo(arn);
        assertThat(assumeCalls(env) - before).as("one STS call for both catalogs").isEqualTo(1);

        first.close(); // closes its S3 client, and the SDK closes the client's credentials provider
        assertThat(firstProvider.toString()).as("the first FileIO's provider was closed").contains("released");
        assertThat(callerArn(env, secondProvider)).as("the other catalog goes on").isEqualTo(arn);
        assertThat(((IrsaCredentialsProvider) secondProvider).state().orElseThrow().status())
                .isEqualTo(SessionState.Status.VALID);
        assertThat(assumeCalls(env) - before).as("and needed no STS call of its own").isEqualTo(1);

        AwsSessionCredentials c = (AwsSessionCredentials) secondProvider.resolveCredentials();
        assertThat(secondProvider.toString()).doesNotContain(c.secretAccessKey()).doesNotContain(c.sessionToken());

        second.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!ourThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ourThreads()).as("the last catalog closed: the session's threads are gone").isEmpty();
    }

    @Test
    void withOnlyTheClassNameTheSettingsComeFromTheEnvironment(IrsaEnvironment env) {
        systemProperties.put("aws.roleArn", env.roleArn());
        systemProperties.put("aws.webIdentityTokenFile", env.tokenFile().toString());
        systemProperties.put("aws.region", env.region());
        systemProperties.put("aws.endpointUrlSts", env.stsEndpoint().toString());
        systemProperties.put("aws.roleSessionName", "iceberg-env");
        systemProperties.forEach(System::setProperty);

        AwsCredentialsProvider p = new AwsClientProperties(Map.of("client.credentials-provider",
                IrsaCredentialsProvider.class.getName())).credentialsProvider(null, null, null);
        try {
            assertThat(p).isInstanceOf(IrsaCredentialsProvider.class);
            assertThat(callerArn(env, p)).contains(":assumed-role/" + roleName(env) + "/iceberg-env");
        } finally {
            ((IrsaCredentialsProvider) p).close();
        }
    }

    @Test
    void aMisspeltPropertyFailsNamingItAndTheKnownOnes(IrsaEnvironment env) {
        Map<String, String> props = catalogProperties(env, "iceberg-typo");
        props.put("client.credentials-provider.role_arn", env.roleArn());
        AwsClientProperties clientProperties = new AwsClientProperties(props);
        assertThatThrownBy(() -> clientProperties.credentialsProvider(null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'role_arn'")
                .hasMessageContaining("role-arn, token-file, session-name, region, sts-endpoint")
                .hasMessageContaining("client.credentials-provider.*");
    }

    @Test
    void anEndpointThatIsNotAUriIsNamed(IrsaEnvironment env) {
        assertThatThrownBy(() -> IrsaCredentialsProvider.create(Map.of("sts-endpoint", "http://bad host")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'sts-endpoint'")
                .hasMessageContaining("http://bad host");
    }

    @Test
    void blankValuesAndANullMapMeanTheEnvironment(IrsaEnvironment env) {
        Map<String, String> blank = new HashMap<>();
        blank.put("role-arn", " ");
        blank.put("region", null);
        try (IrsaCredentialsProvider fromBlank = IrsaCredentialsProvider.create(blank);
             IrsaCredentialsProvider fromNull = IrsaCredentialsProvider.create((Map<String, String>) null);
             IrsaCredentialsProvider plain = IrsaCredentialsProvider.create()) {
            assertThat(fromBlank.source()).isEqualTo(plain.source());
            assertThat(fromNull.source()).isEqualTo(plain.source());
            assertThat(fromBlank.unavailableReason()).isEqualTo(plain.unavailableReason());
        }
    }

    @Test
    void givenKeysThatDoNotMakeAUsableProviderFailAtCreationNotAtFirstUse(IrsaEnvironment env) {
        assertThatThrownBy(() -> IrsaCredentialsProvider.create(Map.of("role-arn", "not-an-arn",
                "token-file", env.tokenFile().toString(), "region", env.region())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not make a usable provider")
                .hasMessageContaining("not-an-arn");
        assertThatThrownBy(() -> IrsaCredentialsProvider.create(Map.of("role-arn", env.roleArn(),
                "token-file", env.tokenFile().toString(), "region", env.region(),
                "sts-endpoint", "http://sts.example.com")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not make a usable provider")
                .hasMessageContaining("sts.example.com");
    }

    @Test
    void aRestCatalogsWholePropertiesAreReadForOurKeysAndTheRestIgnored(IrsaEnvironment env) {
        // What AwsClientProperties hands over once a REST catalog vends credentials: every catalog property
        // (putAll(allProperties)), Iceberg's own keys included, beside ours without their prefix.
        Map<String, String> all = new HashMap<>(catalogProperties(env, "iceberg-rest"));
        all.put("uri", "http://127.0.0.1:1/catalog");
        all.put("credentials.uri", "http://127.0.0.1:1/credentials");
        all.put("warehouse", "s3://warehouse/");
        all.put("role-arn", env.roleArn());
        all.put("token-file", env.tokenFile().toString());
        all.put("region", env.region());
        all.put("sts-endpoint", env.stsEndpoint().toString());
        all.put("session-name", "iceberg-rest");
        try (IrsaCredentialsProvider p = IrsaCredentialsProvider.create(all)) {
            assertThat(callerArn(env, p)).contains(":assumed-role/" + roleName(env) + "/iceberg-rest");
        }
    }

    @Test
    void theStartersSessionDurationAndPolicyKeysAreRead(IrsaEnvironment env) {
        Map<String, String> p = new HashMap<>();
        p.put("role-arn", env.roleArn());
        p.put("token-file", env.tokenFile().toString());
        p.put("region", env.region());
        p.put("sts-endpoint", env.stsEndpoint().toString());
        p.put("session-name", "iceberg-duration");
        p.put("session-duration", "15m");
        p.put("policy-arns", "arn:aws:iam::aws:policy/ReadOnlyAccess");
        try (IrsaCredentialsProvider provider = IrsaCredentialsProvider.create(p)) {
            AwsSessionCredentials c = (AwsSessionCredentials) provider.resolveCredentials();
            assertThat(Duration.between(java.time.Instant.now(), c.expirationTime().orElseThrow()))
                    .as("STS was asked for 15 minutes").isLessThanOrEqualTo(Duration.ofMinutes(15))
                    .isGreaterThan(Duration.ofMinutes(10));
        }
        assertThatThrownBy(() -> IrsaCredentialsProvider.create(Map.of("session-duration", "an hour")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'session-duration'");
    }
}
