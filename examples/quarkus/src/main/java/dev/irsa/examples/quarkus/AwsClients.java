package dev.irsa.examples.quarkus;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/** The application's AWS clients, built with the extension's {@code AwsCredentialsProvider} bean. */
public class AwsClients {
    // tag::quarkus-bean[]
    @Produces
    @Singleton
    StsClient sts(AwsCredentialsProvider credentials, @ConfigProperty(name = "AWS_REGION") String region,
                  @ConfigProperty(name = "AWS_ENDPOINT_URL_STS") Optional<URI> endpoint) {
        var b = StsClient.builder()
                .credentialsProvider(credentials) // the session's credentials; refreshed in the background
                .region(Region.of(region))
                .httpClient(UrlConnectionHttpClient.create());
        endpoint.ifPresent(b::endpointOverride); // tests: the emulator
        return b.build();
    }
    // end::quarkus-bean[]

    void close(@Disposes StsClient sts) {
        sts.close();
    }
}
