package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.CredentialSource;
import dev.irsa.core.SettingsSource;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * A library that defaults to {@link IrsaCredentialsProvider#withDefaultFallback(SettingsSource)} is tested with an
 * in-memory settings source (issue 22 item 3): no JVM-wide system property is set, and the choice and the provider's
 * configuration come from the source handed in.
 */
class DefaultFallbackSettingsTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    @Test
    void anInMemorySettingsSourcePointingAtTheEmulatorChoosesIrsaAndSignsWithIt(IrsaEnvironment env) {
        assertThat(System.getProperty("aws.roleArn")).as("nothing JVM-wide").isNull();
        AwsCredentialsProvider p = IrsaCredentialsProvider.withDefaultFallback(
                SettingsSource.ofEnvironment(env.podEnvironment()));
        try (StsClient sts = StsClient.builder().endpointOverride(env.stsEndpoint()).region(Region.of(env.region()))
                .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(p).build()) {
            assertThat(p).isInstanceOfSatisfying(IrsaCredentialsProvider.class,
                    irsaProvider -> assertThat(irsaProvider.source()).contains(CredentialSource.WEB_IDENTITY));
            assertThat(sts.getCallerIdentity().arn()).startsWith("arn:aws:sts::111122223333:assumed-role/app-role/");
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity", "Success")).isEqualTo(1);
        } // the client closed the provider it was given: the provider's own hold is released
    }

    @Test
    void anEmptySettingsSourceFallsBackToTheSdksDefaultProvider() {
        AwsCredentialsProvider p = IrsaCredentialsProvider.withDefaultFallback(SettingsSource.of(Map.of(), Map.of()));
        try {
            assertThat(p).isInstanceOf(DefaultCredentialsProvider.class);
        } finally {
            ((SdkAutoCloseable) p).close();
        }
    }
}
