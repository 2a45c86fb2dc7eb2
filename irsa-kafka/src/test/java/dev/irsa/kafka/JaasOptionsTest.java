package dev.irsa.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.RefreshPolicy;
import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.ManualClock;
import dev.irsa.testkit.PodIdentityEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerTokenCallback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.msk.auth.iam.IAMLoginModule;
import software.amazon.msk.auth.iam.internals.AWSCredentialsCallback;

/**
 * The options of AWS's own JAAS line ({@code IAMLoginModule required awsRoleArn="..." ...}), as aws-msk-iam-auth's
 * {@code MSKCredentialProvider} reads them: honoured (a role chained from the pod's, its session name, external ID
 * and STS region; the principal logged) or refused with the reason, never silently ignored.
 */
class JaasOptionsTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private static final String CROSS_ACCOUNT = "444455556666";

    private static List<AppConfigurationEntry> iamJaas(Map<String, String> options) {
        return List.of(new AppConfigurationEntry(IAMLoginModule.class.getName(),
                AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options));
    }

    private static List<AppConfigurationEntry> oauthJaas(Map<String, String> options) {
        return List.of(new AppConfigurationEntry(OAuthBearerLoginModule.class.getName(),
                AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options));
    }

    private static IrsaCredentialsProvider provider(IrsaEnvironment env) {
        return IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                .roleSessionName("pod-session")
                .refreshPolicy(RefreshPolicy.builder().waitTimeout(Duration.ofSeconds(30)).build()).shared(false).build();
    }

    /** A role in another account that the pod's role may assume, with the external ID when one is given. */
    private static String crossAccountRole(IrsaEnvironment env, String name, String externalId) {
        String condition = externalId == null ? "" : """
                ,"Condition":{"StringEquals":{"sts:ExternalId":"%s"}}""".formatted(externalId);
        return env.sts().createRole(CROSS_ACCOUNT, name, """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                 "Principal":{"AWS":"%s"},"Action":"sts:AssumeRole"%s}]}""".formatted(env.roleArn(), condition),
                Duration.ofHours(1));
    }

    private static AwsSessionCredentials signWith(IrsaMskIamCallbackHandler handler) throws Exception {
        AWSCredentialsCallback cb = new AWSCredentialsCallback();
        handler.handle(new Callback[] {cb});
        assertThat(cb.getLoadingException()).isNull();
        return (AwsSessionCredentials) cb.getAwsCredentials();
    }

    private static void assertRefused(AuthenticateCallbackHandler handler, String mechanism,
                                      List<AppConfigurationEntry> jaas, String... messageParts) {
        assertThatThrownBy(() -> handler.configure(Map.of(), mechanism, jaas))
                .isInstanceOf(IllegalArgumentException.class).satisfies(e -> {
                    for (String part : messageParts) {
                        assertThat(e.getMessage()).contains(part);
                    }
                });
    }

    @Test
    void optionsThatIrsaKafkaCannotHonourFailConfigureSayingWhy() {
        IrsaMskIamCallbackHandler iam = new IrsaMskIamCallbackHandler();
        assertRefused(iam, "AWS_MSK_IAM", iamJaas(Map.of("awsProfileName", "dev")), "awsProfileName",
                "not with those of an AWS profile", "IAMClientCallbackHandler");
        assertRefused(iam, "AWS_MSK_IAM", iamJaas(Map.of("awsRoleArn", "arn:aws:iam::444455556666:role/x",
                "awsRoleAccessKeyId", "AKIAEXAMPLEKEY12345", "awsRoleSecretAccessKey", "s3cr3t/value")),
                "awsRoleAccessKeyId", "never with keys written in the client's configuration");
        assertThatThrownBy(() -> iam.configure(Map.of(), "AWS_MSK_IAM", iamJaas(Map.of("awsRoleSecretAccessKey",
                "s3cr3t/value")))).hasMessageNotContaining("s3cr3t/value");
        assertRefused(iam, "AWS_MSK_IAM", iamJaas(Map.of("awsMaxRetries", "5")), "awsMaxRetries",
                "refreshes them in the background");
        assertRefused(iam, "AWS_MSK_IAM", iamJaas(Map.of("awsMaxBackOffTimeMs", "200")), "awsMaxBackOffTimeMs",
                "Remove it");
        assertRefused(iam, "AWS_MSK_IAM", iamJaas(Map.of("awsRoleARN", "arn:aws:iam::444455556666:role/x")),
                "awsRoleARN", "not one of the options irsa-kafka honours", "awsRoleArn, awsRoleSessionName");
        assertRefused(iam, "AWS_MSK_IAM", iamJaas(Map.of("awsShouldUseFips", "true")), "AWS_ENDPOINT_URL_STS");
        assertRefused(iam, "AWS_MSK_IAM", iamJaas(Map.of("region", "us-west-2")), "OAUTHBEARER only");
        assertRefused(iam, "AWS_MSK_IAM", iamJaas(Map.of("awsRoleSessionName", "fixed")), "applies only with awsRoleArn");
        assertRefused(iam, "AWS_MSK_IAM", iamJaas(Map.of("awsRoleArn", "arn:aws:iam::444455556666:role/x",
                "awsStsRegion", "aws-global")), "global endpoint");
        assertRefused(iam, "AWS_MSK_IAM", iamJaas(Map.of("awsRoleArn", "not-an-arn")), "Malformed IAM role ARN");
        assertRefused(iam, "AWS_MSK_IAM", iamJaas(Map.of("awsDebugCreds", "yes")), "\"true\" or \"false\"");
        assertRefused(new IrsaMskOAuthBearerLoginCallbackHandler(), "OAUTHBEARER",
                oauthJaas(Map.of("region", "us-west-2", "awsProfileName", "dev")), "awsProfileName");
    }

    /**
     * {@code awsRoleArn} with {@code awsRoleExternalId}: the callback signs as the cross-account role, assumed from
     * the pod's role with AWS's default session name; the role's trust policy demands the external ID.
     */
    @Test
    void awsRoleArnIsAssumedFromThePodsRoleWithTheExternalIdAndAwsDefaultSessionName(IrsaEnvironment env) throws Exception {
        String role = crossAccountRole(env, "msk-writer", "order-42");
        try (IrsaCredentialsProvider pod = provider(env)) {
            IrsaMskIamCallbackHandler handler = new IrsaMskIamCallbackHandler();
            handler.configure(Map.of("sasl.irsa.credentials.provider", pod), "AWS_MSK_IAM",
                    iamJaas(Map.of("awsRoleArn", role, "awsRoleExternalId", "order-42")));
            AwsSessionCredentials c = signWith(handler);
            assertThat(env.sts().assumedRoleArnOf(c.accessKeyId()))
                    .contains("arn:aws:sts::444455556666:assumed-role/msk-writer/aws-msk-iam-auth");
            assertThat(handler.toString()).contains("assuming " + role).doesNotContain(c.secretAccessKey());
            handler.close();
            assertThat(pod.resolveCredentials()).as("the provider handed over stays its owner's").isNotNull();

            IrsaMskIamCallbackHandler withoutId = new IrsaMskIamCallbackHandler();
            assertThatThrownBy(() -> withoutId.configure(Map.of("sasl.irsa.credentials.provider", pod), "AWS_MSK_IAM",
                    iamJaas(Map.of("awsRoleArn", role, "awsRoleSessionName", "orders"))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("AccessDenied")
                    .hasMessageContaining("to assume " + role);
        }
    }

    /**
     * Issue 20 review #2: several Kafka clients with the same JAAS options, handed the application's (shared) provider,
     * share one chained session: one AssumeRoleWithWebIdentity and one AssumeRole, not one chained session each.
     */
    @Test
    void twoHandlersWithTheSameJaasOptionsShareOneChainedSession(IrsaEnvironment env) throws Exception {
        dev.irsa.core.TestIsolation.reset();
        String role = crossAccountRole(env, "msk-shared", null);
        List<AppConfigurationEntry> jaas = iamJaas(Map.of("awsRoleArn", role, "awsRoleSessionName", "orders"));
        try (IrsaCredentialsProvider app = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("pod-shared")
                .refreshPolicy(RefreshPolicy.builder().waitTimeout(Duration.ofSeconds(30)).build()).build()) {
            IrsaMskIamCallbackHandler producer = new IrsaMskIamCallbackHandler();
            IrsaMskIamCallbackHandler consumer = new IrsaMskIamCallbackHandler();
            producer.configure(Map.of("sasl.irsa.credentials.provider", app), "AWS_MSK_IAM", jaas);
            consumer.configure(Map.of("sasl.irsa.credentials.provider", app), "AWS_MSK_IAM", jaas);
            try {
                assertThat(signWith(producer).accessKeyId()).isEqualTo(signWith(consumer).accessKeyId());
                assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).as("base").isEqualTo(1);
                assertThat(env.sts().calls().count("AssumeRole")).as("chained").isEqualTo(1);
            } finally {
                producer.close();
                consumer.close();
            }
        } finally {
            dev.irsa.core.TestIsolation.reset();
        }
    }

    /** OAUTHBEARER reads the same options (AWS's IAMOAuthBearerLoginCallbackHandler does) and signs as the role. */
    @Test
    void oauthBearerSignsAsTheRoleNamedInItsJaasLine(IrsaEnvironment env) throws Exception {
        String role = crossAccountRole(env, "msk-reader", null);
        try (IrsaCredentialsProvider pod = provider(env)) {
            IrsaMskOAuthBearerLoginCallbackHandler handler = new IrsaMskOAuthBearerLoginCallbackHandler();
            handler.configure(Map.of("sasl.irsa.credentials.provider", pod), "OAUTHBEARER", oauthJaas(Map.of(
                    "region", "us-west-2", "awsRoleArn", role, "awsRoleSessionName", "reports")));
            OAuthBearerTokenCallback cb = new OAuthBearerTokenCallback();
            handler.handle(new Callback[] {cb});
            String url = new String(java.util.Base64.getUrlDecoder().decode(cb.token().value()));
            String akid = java.net.URLDecoder.decode(url, java.nio.charset.StandardCharsets.UTF_8)
                    .replaceAll(".*X-Amz-Credential=([^/]+)/.*", "$1");
            assertThat(env.sts().assumedRoleArnOf(akid)).contains("arn:aws:sts::444455556666:assumed-role/msk-reader/reports");
            handler.close();
        }
    }

    /**
     * {@code awsDebugCreds=true}: one INFO line naming the principal signed as (from STS GetCallerIdentity, as AWS's
     * handler does), however many authentications use those credentials, and no secret.
     */
    @Test
    void awsDebugCredsLogsThePrincipalOncePerCredentials(IrsaEnvironment env) throws Exception {
        String role = crossAccountRole(env, "msk-debug", null);
        try (LogCapture logs = new LogCapture(); IrsaCredentialsProvider pod = provider(env)) {
            IrsaMskIamCallbackHandler handler = new IrsaMskIamCallbackHandler();
            handler.configure(new HashMap<>(Map.of("sasl.irsa.credentials.provider", pod)), "AWS_MSK_IAM",
                    iamJaas(Map.of("awsRoleArn", role, "awsDebugCreds", "true")));
            AwsSessionCredentials c = null;
            for (int i = 0; i < 3; i++) {
                c = signWith(handler);
            }
            handler.close();
            List<String> lines = logs.lines().stream().filter(l -> l.contains(" signs as ")).toList();
            assertThat(lines).singleElement().satisfies(l -> assertThat(l).startsWith("INFO ")
                    .contains("Kafka AWS_MSK_IAM signs as arn:aws:sts::444455556666:assumed-role/msk-debug/aws-msk-iam-auth"));
            assertThat(logs.all()).doesNotContain(c.secretAccessKey(), c.sessionToken());
            assertThat(env.sts().calls().count("GetCallerIdentity", "Success")).isEqualTo(1);
        }
    }

    /**
     * The principal is looked up in the region the provider's own session uses, not in whatever {@code aws.region}
     * the JVM holds (another application's, or a test's left over): a different one makes STS refuse the call.
     */
    @Test
    void awsDebugCredsLooksUpInTheSessionsRegionNotTheJvmsOne(IrsaEnvironment env) throws Exception {
        String role = crossAccountRole(env, "msk-debug-region", null);
        String was = System.getProperty("aws.region");
        System.setProperty("aws.region", "eu-west-3");
        try (LogCapture logs = new LogCapture(); IrsaCredentialsProvider pod = provider(env)) {
            IrsaMskIamCallbackHandler handler = new IrsaMskIamCallbackHandler();
            handler.configure(new HashMap<>(Map.of("sasl.irsa.credentials.provider", pod)), "AWS_MSK_IAM",
                    iamJaas(Map.of("awsRoleArn", role, "awsDebugCreds", "true")));
            signWith(handler);
            handler.close();
            assertThat(logs.lines().stream().filter(l -> l.contains(" signs as ")).toList()).singleElement()
                    .satisfies(l -> assertThat(l).startsWith("INFO ").contains("assumed-role/msk-debug-region/"));
        } finally {
            if (was == null) {
                System.clearProperty("aws.region");
            } else {
                System.setProperty("aws.region", was);
            }
        }
    }

    /**
     * A refresh brings new credentials: a second line, made on the log's own daemon thread (the callback that saw
     * them runs on a Kafka network thread, which must not call STS), and that thread ends with the handler. The pod's
     * own role here (no awsRoleArn): its 10-s credentials expire under a ManualClock.
     */
    @Test
    void awsDebugCredsLogsAgainAfterARefreshOffTheCallbackThread() throws Exception {
        ManualClock clock = new ManualClock(java.time.Instant.now());
        try (IrsaEnvironment env = IrsaEnvironment.builder().clock(clock).credentialLifetime(Duration.ofSeconds(10)).start();
             LogCapture logs = new LogCapture();
             IrsaCredentialsProvider pod = IrsaCredentialsProvider.builder()
                     .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("debugged").clock(clock)
                     .refreshPolicy(RefreshPolicy.builder().backgroundRefresh(false).waitTimeout(Duration.ofSeconds(30))
                             .minimumRefreshInterval(Duration.ZERO) // 10-s credentials, refreshed sooner than 60 s
                             .build()).shared(false).build()) {
            IrsaMskIamCallbackHandler handler = new IrsaMskIamCallbackHandler();
            handler.configure(Map.of("sasl.irsa.credentials.provider", pod, "sasl.irsa.clock", clock), "AWS_MSK_IAM",
                    iamJaas(Map.of("awsDebugCreds", "true")));
            AwsSessionCredentials first = signWith(handler);
            clock.advance(Duration.ofSeconds(11));
            pod.resolveCredentials(); // the refresh, as the provider's background refresh would have made it
            AwsSessionCredentials second = signWith(handler);
            assertThat(second.accessKeyId()).isNotEqualTo(first.accessKeyId());
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            List<String> lines = List.of();
            while (lines.size() < 2 && System.nanoTime() < deadline) {
                lines = logs.lines().stream().filter(l -> l.contains(" signs as ")).toList();
                Thread.sleep(10); // polls another thread's progress; no test time depends on it
            }
            assertThat(lines).hasSize(2).allSatisfy(l -> assertThat(l)
                    .contains("signs as arn:aws:sts::111122223333:assumed-role/app-role/debugged"));
            Thread debugThread = debugThreads().get(0);
            assertThat(debugThreads()).hasSize(1);
            assertThat(debugThread.isDaemon()).isTrue();
            handler.close();
            debugThread.join(Duration.ofSeconds(10).toMillis());
            assertThat(debugThread.isAlive()).as("the log's thread after close()").isFalse();
            assertThat(logs.all()).doesNotContain(first.secretAccessKey(), second.secretAccessKey(),
                    second.sessionToken());
        }
    }

    private static List<Thread> debugThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("irsa-kafka-debug-creds") && t.isAlive()).toList();
    }

    /**
     * Under EKS Pod Identity {@code awsRoleArn} is assumed from the agent's credentials, as AWS's handler does: the
     * principal is the chained role under {@code awsRoleSessionName}, fixed where each Pod Identity session's name
     * has a random suffix (so MSK accepts re-authentication after a refresh). It used to fail configure ("not
     * supported yet").
     */
    @Test
    void awsRoleArnUnderEksPodIdentityIsAssumedFromTheAgentsCredentials() throws Exception {
        try (PodIdentityEnvironment pie = PodIdentityEnvironment.start();
             IrsaCredentialsProvider pod = IrsaCredentialsProvider.builder()
                     .settings(SettingsSource.ofEnvironment(pie.podEnvironment())).shared(false).build()) {
            String role = pie.sts().createRole(CROSS_ACCOUNT, "msk-fixed", """
                    {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                     "Principal":{"AWS":"%s"},"Action":"sts:AssumeRole"}]}""".formatted(pie.roleArn()),
                    Duration.ofHours(1));
            IrsaMskIamCallbackHandler handler = new IrsaMskIamCallbackHandler();
            handler.configure(Map.of("sasl.irsa.credentials.provider", pod), "AWS_MSK_IAM",
                    iamJaas(Map.of("awsRoleArn", role, "awsRoleSessionName", "orders", "awsStsRegion", pie.region())));
            AwsSessionCredentials c = signWith(handler);
            assertThat(pie.sts().assumedRoleArnOf(c.accessKeyId()))
                    .contains("arn:aws:sts::444455556666:assumed-role/msk-fixed/orders");
            handler.close();
        }
    }
}
