package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.testkit.PodIdentityEnvironment;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Role chaining from an EKS Pod Identity session: AssumeRole signed with the agent's credentials (session token
 * included; the STS emulator verifies the signature and the token), sent to STS of the chained role's region or the
 * pod's AWS_REGION, under a fixed session name where each Pod Identity session's name has a random suffix.
 */
class PodIdentityChainingTest {
    private PodIdentityEnvironment env;
    private LogCapture logs;

    @BeforeEach
    void setUp() {
        logs = new LogCapture();
        env = PodIdentityEnvironment.builder().start();
    }

    @AfterEach
    void tearDown() {
        env.close();
        logs.close();
    }

    private String target(String name) {
        return env.sts().createRole(env.accountId(), name, """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                 "Principal":{"AWS":"%s"},"Action":"sts:AssumeRole"}]}""".formatted(env.roleArn()), Duration.ofHours(1));
    }

    /** Who the agent's credentials are, as STS knows them: the agent does not say. */
    private String principal(IrsaSession pod) {
        return env.sts().assumedRoleArnOf(pod.credentials().accessKeyId()).orElseThrow();
    }

    /** The pod's environment as EKS injects it, plus STS pointed at the emulator; {@code extra} may add a region. */
    private PodIdentityConfig config(Map<String, String> extra) {
        Map<String, String> vars = new HashMap<>(env.podEnvironment());
        vars.put("AWS_ENDPOINT_URL_STS", env.sts().endpoint().toString());
        vars.remove("AWS_REGION");
        vars.remove("AWS_DEFAULT_REGION");
        vars.putAll(extra);
        return PodIdentityConfig.builder().settings(SettingsSource.ofEnvironment(vars)).build();
    }

    @Test
    void aRoleIsChainedFromPodIdentityWithTheAgentsCredentialsUnderAFixedName() {
        String target = target("msk-client");
        ChainedRoleConfig chain = ChainedRoleConfig.builder(target).roleSessionName("orders-service").build();
        String firstSource;
        String firstChained;
        try (IrsaSession pod = IrsaSession.create(config(Map.of("AWS_REGION", env.region())));
             IrsaSession chained = pod.assumeRole(chain)) {
            firstSource = principal(pod);
            firstChained = chained.credentials().assumedRoleArn();
            assertThat(chained.source()).isEqualTo(CredentialSource.WEB_IDENTITY);
        }
        // A second Pod Identity session (as after a refresh) has another random name; the chained one does not.
        try (IrsaSession pod = IrsaSession.create(config(Map.of("AWS_DEFAULT_REGION", env.region())));
             IrsaSession chained = pod.assumeRole(chain)) {
            assertThat(principal(pod)).isNotEqualTo(firstSource).startsWith(firstSource.substring(0, firstSource.lastIndexOf('-')));
            assertThat(chained.credentials().assumedRoleArn()).isEqualTo(firstChained)
                    .isEqualTo("arn:aws:sts::" + env.accountId() + ":assumed-role/msk-client/orders-service");
        }
        // signed with the agent's credentials: the emulator knows the caller as the association's role
        assertThat(env.sts().calls().count("AssumeRole", "Success")).isEqualTo(2);
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isZero();
    }

    @Test
    void theChainedRolesStsRegionWinsAndNoRegionAtAllIsAnErrorNamingWhatToSet() {
        String target = target("regional");
        // stsRegion alone is enough (a loopback endpoint stays, signed for that region)
        try (IrsaSession pod = IrsaSession.create(config(Map.of()));
             IrsaSession chained = pod.assumeRole(ChainedRoleConfig.builder(target).stsRegion(env.region()).build())) {
            assertThat(chained.credentials().assumedRoleArn()).contains(":assumed-role/regional/");
        }
        // signed for eu-west-1 where the emulator is us-west-2: proves the region came from stsRegion, not AWS_REGION
        try (IrsaSession pod = IrsaSession.create(config(Map.of("AWS_REGION", env.region())));
             IrsaSession chained = pod.assumeRole(ChainedRoleConfig.builder(target).stsRegion("eu-west-1").build())) {
            assertThatThrownBy(chained::credentials).hasMessageContaining("SignatureDoesNotMatch")
                    .hasMessageContaining("from EKS Pod Identity");
        }
        try (IrsaSession pod = IrsaSession.create(config(Map.of()))) {
            assertThatThrownBy(() -> pod.assumeRole(ChainedRoleConfig.builder(target).build()))
                    .isInstanceOf(IrsaConfigurationException.class)
                    .hasMessageContaining("Assuming " + target + " from the EKS Pod Identity session needs an STS region")
                    .hasMessageContaining("stsRegion").hasMessageContaining("AWS_REGION");
        }
        try (IrsaSession pod = IrsaSession.create(config(Map.of("AWS_REGION", "cn-north-1")))) {
            assertThatThrownBy(() -> pod.assumeRole(ChainedRoleConfig.builder(target).build()))
                    .isInstanceOf(IrsaConfigurationException.class).hasMessageContaining("partition");
        }
    }

    @Test
    void aTrustPolicyThatDoesNotNameTheAssociationsRoleIsExplained() {
        String other = env.sts().createRole(env.accountId(), "not-trusting", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                 "Principal":{"AWS":"arn:aws:iam::%s:role/someone-else"},"Action":"sts:AssumeRole"}]}"""
                .formatted(env.accountId()), Duration.ofHours(1));
        try (IrsaSession pod = IrsaSession.create(config(Map.of("AWS_REGION", env.region())));
             IrsaSession chained = pod.assumeRole(ChainedRoleConfig.builder(other).build())) {
            assertThatThrownBy(chained::credentials).hasMessageContaining("AccessDenied")
                    .hasMessageContaining("from EKS Pod Identity")
                    .hasMessageContaining("principal the role of the EKS Pod Identity association");
            String secret = pod.credentials().secretAccessKey();
            assertThat(logs.all()).doesNotContain(secret).doesNotContain(pod.credentials().sessionToken());
        }
    }
}
