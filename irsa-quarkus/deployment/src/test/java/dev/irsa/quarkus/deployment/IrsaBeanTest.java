package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.SessionState;
import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The {@code irsa} bean in a Quarkus application: it serves the STS session's credentials, an SDK client built with
 * it signs with the session's key, and stopping the application releases the session.
 */
class IrsaBeanTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class))
            .setAfterAllCustomizer(() -> assertThat(Fixture.probedState())
                    .as("the session after the application stopped")
                    .isEqualTo("CLOSED, sessions open: 0")));

    @Inject
    AwsCredentialsProvider byDefault;

    @Inject
    @Named("irsa")
    AwsCredentialsProvider byName;

    @Inject
    IrsaCredentialsProvider irsa;

    @Test
    void beanServesTheSessionsCredentials() {
        Fixture.probeState(() -> irsa.state().map(s -> s.status().name()).orElse("none")
                + ", sessions open: " + SessionRegistry.global().size());
        assertThat(byName).isSameAs(byDefault).isSameAs(irsa);
        AwsCredentials credentials = byDefault.resolveCredentials();
        // STS issued this key for the configured role (arn:aws:iam::111122223333:role/app-role)
        assertThat(Fixture.assumedRoleOf(credentials.accessKeyId()))
                .startsWith("arn:aws:sts::111122223333:assumed-role/app-role/");
        assertThat(irsa.state()).map(SessionState::status).contains(SessionState.Status.VALID);
    }

    @Test
    void anSdkClientBuiltWithTheBeanSignsWithTheSessionsKey() {
        String key = byName.resolveCredentials().accessKeyId();
        try (S3Client s3 = S3Client.builder()
                .credentialsProvider(byName)
                .region(Region.US_WEST_2)
                .endpointOverride(URI.create(Fixture.config().get("s3.endpoint")))
                .forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            assertThat(s3.listBuckets().buckets()).hasSize(1);
        }
        assertThat(Fixture.s3Keys()).last().isEqualTo(key);
        // the SDK closed the provider with the client: the session keeps running for the application
        assertThat(irsa.state()).map(SessionState::status).contains(SessionState.Status.VALID);
    }
}
