package dev.irsa.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.IrsaConfigurationException;
import dev.irsa.core.SettingsSource;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

class StsEndpointsTest {
    /**
     * Our prefix table against the SDK's full region metadata, for every region the SDK knows: a new partition
     * (or a region shape our pattern refuses) fails here when the SDK is upgraded.
     */
    @Test
    void thePrefixTableAgreesWithTheSdkForEveryRegion() {
        List<String> checked = new ArrayList<>();
        for (Region r : Region.regions()) {
            String id = r.id();
            if (id.contains("global") || id.startsWith("fips-") || id.endsWith("-fips")) {
                continue; // pseudo-regions: signing aliases, not places a pod runs
            }
            PartitionMetadata sdk = PartitionMetadata.of(r);
            StsEndpoints.validateRegion(id, "SDK region");
            assertThat(StsEndpoints.partitionOf(id)).as(id).isEqualTo(sdk.id());
            assertThat(StsEndpoints.regional(id)).as(id).isEqualTo(URI.create("https://sts." + id + "." + sdk.dnsSuffix()));
            checked.add(id);
        }
        assertThat(checked).contains("us-east-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1", "us-isob-east-1",
                "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1");
        assertThat(checked.stream().map(StsEndpoints::partitionOf).distinct()).containsExactlyInAnyOrder("aws", "aws-cn",
                "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc");
    }

    @ParameterizedTest
    @CsvSource({"https://sts.eu-central-1.amazonaws.com,eu-central-1",
            "https://sts-fips.us-east-2.amazonaws.com,us-east-2",
            "https://sts.cn-northwest-1.amazonaws.com.cn,cn-northwest-1",
            "https://sts.us-gov-west-1.amazonaws.com,us-gov-west-1",
            "https://sts.eusc-de-east-1.amazonaws.eu,eusc-de-east-1",
            "https://sts.us-isob-east-1.sc2s.sgov.gov,us-isob-east-1",
            "https://vpce-0a1b2c3d4e5f67890-abcdefgh.sts.ap-southeast-2.vpce.amazonaws.com,ap-southeast-2",
            "https://vpce-0a1b2c3d4e5f67890-abcdefgh-ap-southeast-2a.sts.ap-southeast-2.vpce.amazonaws.com,ap-southeast-2",
            "https://sts.amazonaws.com,us-east-1"})
    void theSigningRegionComesFromTheEndpointWhenNoRegionIsSet(String endpoint, String region) {
        IrsaConfig c = IrsaConfig.builder().settings(SettingsSource.of(Map.of(), Map.of()))
                .roleArn(arnFor(region)).tokenFile(java.nio.file.Path.of("/t")).stsEndpoint(URI.create(endpoint)).build();
        assertThat(c.region()).isEmpty();
        assertThat(StsEndpoints.signingRegion(c)).isEqualTo(region);
    }

    @Test
    void theEndpointsRegionWinsOverTheConfiguredOneForSigning() {
        // AWS_REGION=eu-west-1 with the global endpoint (or a VPC endpoint elsewhere): the endpoint verifies the
        // signature for its own region, so that is the one to sign for.
        IrsaConfig global = IrsaConfig.builder().settings(SettingsSource.of(Map.of(), Map.of())).region("eu-west-1")
                .roleArn("arn:aws:iam::111122223333:role/a").tokenFile(java.nio.file.Path.of("/t"))
                .stsEndpoint(URI.create("https://sts.amazonaws.com")).build();
        assertThat(StsEndpoints.signingRegion(global)).isEqualTo("us-east-1");
        IrsaConfig vpce = global.toBuilder().stsEndpoint(URI.create("https://vpce-1.sts.eu-central-1.vpce.amazonaws.com"))
                .build();
        assertThat(StsEndpoints.signingRegion(vpce)).isEqualTo("eu-central-1");
        IrsaConfig proxy = global.toBuilder().stsEndpoint(URI.create("https://sts-proxy.internal.example.com")).build();
        assertThat(StsEndpoints.signingRegion(proxy)).as("a host that names none: the configured region")
                .isEqualTo("eu-west-1");
    }

    @Test
    void anEndpointThatNamesNoRegionIsAClearError() {
        IrsaConfig c = IrsaConfig.builder().settings(SettingsSource.of(Map.of(), Map.of()))
                .roleArn("arn:aws:iam::111122223333:role/a").tokenFile(java.nio.file.Path.of("/t"))
                .stsEndpoint(URI.create("https://sts-proxy.internal.example.com")).build();
        assertThatThrownBy(() -> StsEndpoints.signingRegion(c)).isInstanceOf(IrsaConfigurationException.class)
                .hasMessageContaining("sts-proxy.internal.example.com").hasMessageContaining("AWS_REGION");
    }

    @Test
    void aLoopbackEndpointWithoutRegionSignsForTheDocumentedDefault() {
        IrsaConfig c = IrsaConfig.builder().settings(SettingsSource.of(Map.of(), Map.of()))
                .roleArn("arn:aws:iam::111122223333:role/a").tokenFile(java.nio.file.Path.of("/t"))
                .stsEndpoint(URI.create("http://127.0.0.1:4566")).build();
        assertThat(StsEndpoints.signingRegion(c)).isEqualTo(StsEndpoints.LOOPBACK_DEFAULT_REGION).isEqualTo("us-east-1");
    }

    @Test
    void onlyRealLoopbackAddressesCountAsLoopback() {
        assertThat(StsEndpoints.isLoopback("127.0.0.1")).isTrue();
        assertThat(StsEndpoints.isLoopback("127.255.10.2")).isTrue();
        assertThat(StsEndpoints.isLoopback("[::1]")).isTrue();
        // Not addresses: the JDK would resolve them through DNS (and a cluster's search domains).
        assertThat(StsEndpoints.isLoopback("127.999.1.1")).isFalse();
        assertThat(StsEndpoints.isLoopback("127.0.0.1.example.com")).isFalse();
        assertThat(StsEndpoints.isLoopback("127.00.0.1")).isFalse();
        assertThat(dev.irsa.core.PodIdentityConfig.plainHttpAllowed("127.999.1.1")).isFalse();
        assertThat(dev.irsa.core.PodIdentityConfig.plainHttpAllowed("169.254.170.23")).isTrue();
    }

    private static String arnFor(String region) {
        return "arn:" + StsEndpoints.partitionOf(region) + ":iam::111122223333:role/a";
    }
}
