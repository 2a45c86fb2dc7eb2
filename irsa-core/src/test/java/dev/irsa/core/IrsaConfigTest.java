package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class IrsaConfigTest {
    private static final String ARN = "arn:aws:iam::111122223333:role/app";
    private static final Map<String, String> POD = Map.of("AWS_ROLE_ARN", ARN,
            "AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
            "AWS_REGION", "eu-west-1", "HOSTNAME", "app-7d9f8c6b5-x2x4z");

    private static IrsaConfig.Builder from(Map<String, String> env) {
        return IrsaConfig.builder().settings(SettingsSource.ofEnvironment(env));
    }

    @Test
    void resolvesWhatTheEksWebhookInjects() {
        IrsaConfig c = from(POD).build();
        assertThat(c.roleArn().toString()).isEqualTo(ARN);
        assertThat(c.tokenFile()).isEqualTo(IrsaConfig.EKS_TOKEN_FILE);
        assertThat(c.region()).contains("eu-west-1");
        assertThat(c.stsEndpoint()).isEqualTo(URI.create("https://sts.eu-west-1.amazonaws.com"));
        assertThat(c.roleSessionName()).matches("app-7d9f8c6b5-x2x4z-[0-9a-f]{8}");
        assertThat(c.sessionDuration()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void builderBeatsSystemPropertiesWhichBeatTheEnvironment() {
        SettingsSource s = SettingsSource.of(POD, Map.of("aws.roleArn", "arn:aws:iam::222233334444:role/from-prop",
                "aws.region", "us-east-2"));
        IrsaConfig fromProps = IrsaConfig.builder().settings(s).build();
        assertThat(fromProps.roleArn().accountId()).isEqualTo("222233334444");
        assertThat(fromProps.region()).contains("us-east-2");
        IrsaConfig explicit = IrsaConfig.builder().settings(s).roleArn("arn:aws:iam::333344445555:role/explicit")
                .region("ap-southeast-2").build();
        assertThat(explicit.roleArn().name()).isEqualTo("explicit");
        assertThat(explicit.stsEndpoint()).hasHost("sts.ap-southeast-2.amazonaws.com");
    }

    @Test
    void awsRegionBeatsAwsDefaultRegion() {
        Map<String, String> env = new java.util.HashMap<>(POD);
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        assertThat(from(env).build().region()).contains("eu-west-1");
        env.remove("AWS_REGION");
        assertThat(from(env).build().region()).contains("us-east-1");
    }

    @Test
    void endpointOverridesInOrder() {
        Map<String, String> env = new java.util.HashMap<>(POD);
        env.put("AWS_ENDPOINT_URL", "https://generic.example.com");
        assertThat(from(env).build().stsEndpoint()).isEqualTo(URI.create("https://generic.example.com"));
        env.put("AWS_ENDPOINT_URL_STS", "https://sts-vpce.example.com");
        assertThat(from(env).build().stsEndpoint()).isEqualTo(URI.create("https://sts-vpce.example.com"));
        IrsaConfig viaProp = IrsaConfig.builder().settings(SettingsSource.of(env, Map.of("aws.endpointUrlSts",
                "http://127.0.0.1:4566"))).build();
        assertThat(viaProp.stsEndpoint()).isEqualTo(URI.create("http://127.0.0.1:4566"));
    }

    @ParameterizedTest
    @CsvSource({"cn-north-1,arn:aws-cn:iam::111122223333:role/app,https://sts.cn-north-1.amazonaws.com.cn",
            "us-gov-west-1,arn:aws-us-gov:iam::111122223333:role/app,https://sts.us-gov-west-1.amazonaws.com",
            "eu-central-1,arn:aws:iam::111122223333:role/path/to/app,https://sts.eu-central-1.amazonaws.com",
            "eusc-de-east-1,arn:aws-eusc:iam::111122223333:role/app,https://sts.eusc-de-east-1.amazonaws.eu",
            "us-iso-east-1,arn:aws-iso:iam::111122223333:role/app,https://sts.us-iso-east-1.c2s.ic.gov",
            "us-isob-east-1,arn:aws-iso-b:iam::111122223333:role/app,https://sts.us-isob-east-1.sc2s.sgov.gov",
            "eu-isoe-west-1,arn:aws-iso-e:iam::111122223333:role/app,https://sts.eu-isoe-west-1.cloud.adc-e.uk",
            "us-isof-south-1,arn:aws-iso-f:iam::111122223333:role/app,https://sts.us-isof-south-1.csp.hci.ic.gov"})
    void regionalEndpointInEveryPartition(String region, String arn, String endpoint) {
        IrsaConfig c = from(POD).region(region).roleArn(arn).build();
        assertThat(c.stsEndpoint()).isEqualTo(URI.create(endpoint));
    }

    @Test
    void noRegionIsAClearErrorNotUsEast1() {
        Map<String, String> env = new java.util.HashMap<>(POD);
        env.remove("AWS_REGION");
        assertThatThrownBy(() -> from(env).build()).isInstanceOf(IrsaConfigurationException.class)
                .hasMessageContaining("AWS_REGION").hasMessageContaining("does not fall back to us-east-1");
    }

    @Test
    void legacyRegionalEndpointsSettingIsNotHonouredSilently() {
        Map<String, String> env = new java.util.HashMap<>(POD);
        env.put("AWS_STS_REGIONAL_ENDPOINTS", "legacy");
        IrsaConfig c = from(env).build();
        assertThat(c.regionalEndpointsLegacyRequested()).isTrue();
        assertThat(c.stsEndpoint()).hasHost("sts.eu-west-1.amazonaws.com");
    }

    @ParameterizedTest
    @ValueSource(strings = {"arn:aws:iam::1111:role/app", "arn:aws:iam::111122223333:user/bob", "not-an-arn",
            "arn:aws:sts::111122223333:assumed-role/app/session", "arn:aws:iam::111122223333:role/",
            "arn:aws:s3:::bucket"})
    void malformedRoleArnsAreRefusedWithTheExpectedShape(String arn) {
        assertThatThrownBy(() -> from(POD).roleArn(arn).build()).isInstanceOf(IrsaConfigurationException.class)
                .hasMessageContaining("arn:<partition>:iam::<12-digit account>:role/<name>")
                .hasMessageContaining("builder roleArn");
    }

    @Test
    void missingRoleOrTokenFileNamesTheVariable() {
        assertThatThrownBy(() -> from(Map.of("AWS_REGION", "us-west-2")).build()).hasMessageContaining("AWS_ROLE_ARN")
                .hasMessageContaining("eks.amazonaws.com/role-arn");
        assertThatThrownBy(() -> from(Map.of("AWS_REGION", "us-west-2", "AWS_ROLE_ARN", ARN)).build())
                .hasMessageContaining("AWS_WEB_IDENTITY_TOKEN_FILE");
        assertThat(IrsaConfig.isConfigured(SettingsSource.ofEnvironment(POD))).isTrue();
        assertThat(IrsaConfig.isConfigured(SettingsSource.ofEnvironment(Map.of("AWS_ROLE_ARN", ARN)))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "has space", "slash/not-allowed", "toolong-toolong-toolong-toolong-toolong-toolong-toolong-toolong-1"})
    void invalidSessionNames(String name) {
        assertThatThrownBy(() -> from(POD).roleSessionName(name).build()).isInstanceOf(IrsaConfigurationException.class)
                .hasMessageContaining("2–64 characters");
        Map<String, String> env = new java.util.HashMap<>(POD);
        env.put("AWS_ROLE_SESSION_NAME", name);
        assertThatThrownBy(() -> from(env).build()).hasMessageContaining("AWS_ROLE_SESSION_NAME");
    }

    @Test
    void derivedSessionNamesAreSanitisedAndBounded() {
        Map<String, String> env = new java.util.HashMap<>(POD);
        env.put("HOSTNAME", "weird host/name:with*chars-" + "x".repeat(80));
        String n = from(env).build().roleSessionName();
        assertThat(n).matches("[\\w+=,.@-]{2,64}").startsWith("weird-host-name-with-chars-");
        env.remove("HOSTNAME");
        assertThat(from(env).build().roleSessionName()).matches("irsa-java-[0-9a-f]{8}");
    }

    @Test
    void sessionLimits() {
        assertThatThrownBy(() -> from(POD).sessionDuration(Duration.ofSeconds(899)).build()).hasMessageContaining("900–43200");
        assertThatThrownBy(() -> from(POD).sessionDuration(Duration.ofHours(13)).build()).hasMessageContaining("900–43200");
        assertThatThrownBy(() -> from(POD).sessionPolicy("x".repeat(2049)).build()).hasMessageContaining("1–2048");
        assertThatThrownBy(() -> from(POD).sessionPolicy("{\"emoji\":\"\u2603\"}").build()).hasMessageContaining("characters");
        assertThatThrownBy(() -> from(POD).policyArns(Collections.nCopies(11, "arn:aws:iam::aws:policy/ReadOnlyAccess")).build())
                .hasMessageContaining("at most 10");
        assertThatThrownBy(() -> from(POD).policyArns(List.of("ReadOnly")).build()).hasMessageContaining("not an ARN");
        assertThat(from(POD).policyArns(Collections.nCopies(10, "arn:aws:iam::aws:policy/ReadOnlyAccess")).build()
                .policyArns()).hasSize(10);
    }

    @Test
    void regionAndRolePartitionMustAgree() {
        assertThatThrownBy(() -> from(POD).roleArn("arn:aws-cn:iam::111122223333:role/app").build())
                .hasMessageContaining("partition aws-cn").hasMessageContaining("eu-west-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"us-west", "US-WEST-2", "uswest2", "eu_west_1"})
    void malformedRegions(String region) {
        assertThatThrownBy(() -> from(POD).region(region).build()).hasMessageContaining("not an AWS region name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://sts.example.com", "http://10.0.0.5:8080", "ftp://127.0.0.1"})
    void theTokenNeverTravelsOverPlainHttpOffThisMachine(String endpoint) {
        assertThatThrownBy(() -> from(POD).stsEndpoint(URI.create(endpoint)).build())
                .hasMessageContaining("Refusing to send the web identity token");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9", "https://sts.example.com"})
    void loopbackHttpAndHttpsAreFine(String endpoint) {
        assertThat(from(POD).stsEndpoint(URI.create(endpoint)).build().stsEndpoint()).isEqualTo(URI.create(endpoint));
    }

    @Test
    void toBuilderKeepsExplicitValuesAndReResolvesTheRest() {
        IrsaConfig c = from(POD).roleSessionName("explicit-name").sessionDuration(Duration.ofHours(2)).build();
        IrsaConfig copy = c.toBuilder().region("us-west-2").build();
        assertThat(copy.roleSessionName()).isEqualTo("explicit-name");
        assertThat(copy.sessionDuration()).isEqualTo(Duration.ofHours(2));
        assertThat(copy.region()).contains("us-west-2");
        assertThat(c.region()).contains("eu-west-1");
        assertThat(c.toString()).contains(ARN);
    }
}
