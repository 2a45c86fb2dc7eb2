package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.CredentialSource;
import dev.irsa.core.SettingsSource;
import dev.irsa.testkit.PodIdentityCall;
import dev.irsa.testkit.PodIdentityEnvironment;
import dev.irsa.testkit.PodIdentityFault;
import dev.irsa.testkit.StsCall;
import dev.irsa.testkit.junit.PodIdentityEmulatorExtension;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * A pod with only the Pod Identity variables gets credentials through {@link IrsaCredentialsProvider#create()}'s
 * builder path, and behaves like the SDK's {@link ContainerCredentialsProvider} pointed at the same agent emulator,
 * except where it is meant to differ (an agent outage with valid cached credentials).
 */
class PodIdentityProviderTest {
    @RegisterExtension
    static final PodIdentityEmulatorExtension podIdentity = PodIdentityEmulatorExtension.create();

    private static IrsaCredentialsProvider ours(Map<String, String> env) {
        return IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env)).shared(false).build();
    }

    /** The SDK's provider reads system properties (they win over the environment): set, build, clear. */
    private static ContainerCredentialsProvider sdk(PodIdentityEnvironment env) {
        System.setProperty("aws.containerCredentialsFullUri", env.agentEndpoint().toString());
        System.setProperty("aws.containerAuthorizationTokenFile", env.tokenFile().toString());
        return ContainerCredentialsProvider.builder().build();
    }

    private static void clearSdkProperties() {
        System.clearProperty("aws.containerCredentialsFullUri");
        System.clearProperty("aws.containerAuthorizationTokenFile");
    }

    private static String callerArn(PodIdentityEnvironment env, AwsCredentialsProvider p) {
        try (StsClient sts = StsClient.builder().endpointOverride(env.sts().endpoint()).region(Region.of(env.region()))
                .credentialsProvider(p).build()) {
            return sts.getCallerIdentity().arn();
        }
    }

    @Test
    void onlyThePodIdentityVariablesAreEnough(PodIdentityEnvironment env) {
        try (IrsaCredentialsProvider p = ours(env.podEnvironment())) {
            assertThat(p.source()).contains(CredentialSource.POD_IDENTITY);
            AwsSessionCredentials c = (AwsSessionCredentials) p.resolveCredentials();
            assertThat(c.providerName()).contains(IrsaCredentialsProvider.PROVIDER_NAME);
            assertThat(c.accountId()).contains(env.accountId());
            assertThat(callerArn(env, p)).startsWith("arn:aws:sts::" + env.accountId() + ":assumed-role/app-role/");
            assertThat(p.state()).hasValueSatisfying(s -> assertThat(s.source()).isEqualTo("pod-identity"));
            assertThat(p.toString()).contains("EKS Pod Identity").doesNotContain(c.secretAccessKey());
        }
    }

    @Test
    void scopingThatOnlyStsCanApplyIsAClearErrorNotTheAssociationsWholeRole(PodIdentityEnvironment env) {
        IrsaCredentialsProvider scoped = IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(
                env.podEnvironment())).sessionPolicy("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}").shared(false).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(scoped::resolveCredentials)
                .isInstanceOf(software.amazon.awssdk.core.exception.SdkClientException.class)
                .hasMessageContaining("EKS Pod Identity").hasMessageContaining("session policy");
        IrsaCredentialsProvider arns = IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(
                env.podEnvironment())).policyArns(List.of("arn:aws:iam::aws:policy/ReadOnlyAccess")).shared(false).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(arns::resolveCredentials).hasMessageContaining("policy ARNs");
        assertThat(env.agent().calls()).as("no credentials fetched for an unscoped role").isEmpty();
    }

    /**
     * A chained role is no widening: AssumeRole from the agent's credentials (to STS in the pod's region), under a
     * fixed session name; the chained provider's builder builds it again. Session policies stay refused (above).
     */
    @Test
    void aRoleIsChainedFromPodIdentityAndItsBuilderBuildsItAgain(PodIdentityEnvironment env) {
        String target = env.sts().createRole(env.accountId(), "chained-from-pod", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                 "Principal":{"AWS":"%s"},"Action":"sts:AssumeRole"}]}""".formatted(env.roleArn()),
                java.time.Duration.ofHours(1));
        String fixed = "arn:aws:sts::" + env.accountId() + ":assumed-role/chained-from-pod/billing";
        try (IrsaCredentialsProvider base = ours(env.podEnvironment());
             IrsaCredentialsProvider chained = base.assumeRole(dev.irsa.core.ChainedRoleConfig.builder(target)
                     .roleSessionName("billing").build());
             IrsaCredentialsProvider again = chained.toBuilder().build()) {
            assertThat(callerArn(env, chained)).isEqualTo(fixed);
            assertThat(callerArn(env, again)).isEqualTo(fixed);
        }
    }

    @Test
    void chainingFromPodIdentityWithoutAnyRegionSaysWhatToSet(PodIdentityEnvironment env) {
        Map<String, String> vars = new java.util.HashMap<>(env.podEnvironment());
        vars.remove("AWS_REGION");
        vars.remove("AWS_DEFAULT_REGION");
        try (IrsaCredentialsProvider base = ours(vars)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> base.assumeRole(
                            dev.irsa.core.ChainedRoleConfig.builder("arn:aws:iam::111122223333:role/x").build()))
                    .isInstanceOf(SdkClientException.class).hasMessageContaining("needs an STS region")
                    .hasMessageContaining("AWS_REGION");
        }
    }

    @Test
    void bothVariableSetsPresentMeansIrsa(PodIdentityEnvironment env) {
        Map<String, String> both = new HashMap<>(env.podEnvironment());
        both.put("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/irsa-role");
        both.put("AWS_WEB_IDENTITY_TOKEN_FILE", env.tokenFile().toString());
        try (IrsaCredentialsProvider p = ours(both)) {
            assertThat(p.source()).contains(CredentialSource.WEB_IDENTITY);
        }
        assertThat(env.agent().calls()).isEmpty();
    }

    @Test
    void sameAgentSameAnswersAsTheSdksContainerProvider(PodIdentityEnvironment env) throws Exception {
        try (IrsaCredentialsProvider p = ours(env.podEnvironment()); ContainerCredentialsProvider s = sdk(env)) {
            AwsSessionCredentials a = (AwsSessionCredentials) p.resolveCredentials();
            AwsSessionCredentials b = (AwsSessionCredentials) s.resolveCredentials();
            assertThat(a.accountId()).contains(env.accountId()); // the SDK 2.57.8 provider leaves it empty
            assertThat(a.sessionToken()).isNotEqualTo(b.sessionToken());
            assertThat(a.expirationTime()).isPresent();
            // The SDK's own provider leaves the expiry off the credentials on the 2.31.x line (the floor leg of .ci/run)
            b.expirationTime().ifPresent(sdkExpiry -> assertThat(
                    Duration.between(a.expirationTime().orElseThrow(), sdkExpiry).abs()).isLessThan(Duration.ofSeconds(5)));
            assertThat(callerArn(env, p)).startsWith("arn:aws:sts::" + env.accountId() + ":assumed-role/app-role/");
            assertThat(callerArn(env, s)).startsWith("arn:aws:sts::" + env.accountId() + ":assumed-role/app-role/");
            String token = StsCall.fingerprint(Files.readString(env.tokenFile()).strip());
            assertThat(env.agent().calls()).extracting(PodIdentityCall::tokenFingerprint).containsOnly(token);
        } finally {
            clearSdkProperties();
        }
    }

    @Test
    void inAnAgentOutageWeServeValidCachedCredentialsWithoutCallingTheAgentPerCall(PodIdentityEnvironment env) {
        // 50 s credentials: inside the SDK's 1 min stale window from the start, outside our mandatory window (5 s).
        env.agent().credentialLifetime(Duration.ofSeconds(50));
        try (IrsaCredentialsProvider p = ours(env.podEnvironment()); ContainerCredentialsProvider s = sdk(env)) {
            AwsSessionCredentials a = (AwsSessionCredentials) p.resolveCredentials();
            s.resolveCredentials();
            env.agent().faults().failAlways(PodIdentityFault.SERVICE_UNAVAILABLE);
            long before = env.agent().calls().size();
            for (int i = 0; i < 20; i++) {
                assertThat(((AwsSessionCredentials) p.resolveCredentials()).accessKeyId()).isEqualTo(a.accessKeyId());
            }
            assertThat(env.agent().calls().size() - before).as("ours: no agent call per caller call").isLessThanOrEqualTo(1);
            int sdkErrors = 0;
            long sdkBefore = env.agent().calls().size();
            for (int i = 0; i < 20; i++) {
                try {
                    s.resolveCredentials();
                } catch (SdkClientException e) {
                    sdkErrors++;
                }
            }
            // Measured, not asserted: the SDK's behaviour here depends on its version's stale handling.
            System.out.println("SDK ContainerCredentialsProvider in a 50 s-credential agent outage: " + sdkErrors
                    + " errors, " + (env.agent().calls().size() - sdkBefore) + " agent calls for 20 resolves");
        } finally {
            clearSdkProperties();
        }
    }

    @Test
    void aMisconfiguredPodIdentityIsReportedAtUseNotAtBuild() {
        try (IrsaCredentialsProvider p = ours(Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.1.2.3/v1/credentials",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/nonexistent"))) {
            assertThatThrownBy(p::resolveCredentials).isInstanceOf(SdkClientException.class)
                    .hasMessageContaining("plain http");
        }
    }

    @Test
    void irsaOnlyOptionsIgnoredForPodIdentityAreNamedInOneWarning(PodIdentityEnvironment env) {
        IrsaCredentialsProvider.Builder b = IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(
                env.podEnvironment())).shared(false).region("eu-west-1")
                .stsEndpoint(java.net.URI.create("http://127.0.0.1:1/")).sessionDuration(Duration.ofHours(2))
                .roleSessionName("ignored-name");
        String log;
        try (StsClient client = StsClient.builder().region(Region.of(env.region()))
                .credentialsProvider(software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider.create()).build()) {
            b.stsClient(client);
            log = StdErrCapture.during(() -> {
                try (IrsaCredentialsProvider p = b.build()) {
                    assertThat(p.source()).contains(CredentialSource.POD_IDENTITY);
                    assertThat(p.resolveCredentials().accessKeyId()).isNotBlank();
                }
            });
        }
        List<String> warnings = log.lines().filter(l -> l.contains("WARN")).toList();
        assertThat(warnings).as("one warning per build").hasSize(1);
        assertThat(warnings.get(0)).contains("EKS Pod Identity").contains("region").contains("stsEndpoint")
                .contains("sessionDuration").contains("roleSessionName").contains("stsClient");

        // Nothing IRSA-only set (the default session duration included, as the Spring starter sets it): no warning.
        String quiet = StdErrCapture.during(() -> IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(
                env.podEnvironment())).shared(false).sessionDuration(Duration.ofHours(1)).build().close());
        assertThat(quiet).doesNotContain("WARN");
    }

    @Test
    void theIgnoredOptionsWarningIsLoggedOncePerConfigurationNotPerProviderBuilt(PodIdentityEnvironment env) {
        // The Spring starter builds the bean, a toBuilder() copy to keep the session, and with the config import a
        // third provider of the same configuration: one warning, not three.
        IrsaCredentialsProvider.Builder b = IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(
                env.podEnvironment())).shared(false).region("ap-south-1").roleSessionName("once-only");
        String log = StdErrCapture.during(() -> {
            try (IrsaCredentialsProvider first = b.build();
                 IrsaCredentialsProvider copy = first.toBuilder().eagerStart(false).build();
                 IrsaCredentialsProvider again = IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(
                         env.podEnvironment())).shared(false).region("ap-south-1").roleSessionName("once-only").build()) {
                assertThat(copy.source()).contains(CredentialSource.POD_IDENTITY);
            }
        });
        assertThat(log.lines().filter(l -> l.contains("WARN") && l.contains("ignored")).toList()).hasSize(1);

        // Other ignored options are another configuration: named again.
        String other = StdErrCapture.during(() -> IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(
                env.podEnvironment())).shared(false).region("ap-south-1").build().close());
        assertThat(other.lines().filter(l -> l.contains("WARN") && l.contains("ignored")).toList()).hasSize(1);
    }

    @Test
    void aNullSessionDurationMeansTheDefault(PodIdentityEnvironment env) {
        // As every other setter: null is "not set", not a NullPointerException from deep inside the builder.
        try (IrsaCredentialsProvider p = IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(
                env.podEnvironment())).shared(false).sessionDuration(null).build()) {
            assertThat(p.resolveCredentials().accessKeyId()).isNotBlank();
        }
        assertThat(IrsaCredentialsProvider.builder().roleArn("arn:aws:iam::111122223333:role/app")
                .sessionDuration(Duration.ofHours(2)).sessionDuration(null)).isNotNull();
    }
}
