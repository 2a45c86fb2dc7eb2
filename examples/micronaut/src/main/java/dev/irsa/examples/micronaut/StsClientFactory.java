package dev.irsa.examples.micronaut;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/** The application's own SDK client, built on the injected provider (irsa-micronaut's IRSA provider). */
@Factory
class StsClientFactory {
    @Singleton
    @Bean(preDestroy = "close")
    StsClient stsClient(AwsCredentialsProvider credentials, @Value("${aws.region}") String region,
                        @Value("${app.sts-endpoint:}") Optional<String> endpoint) {
        var b = StsClient.builder().credentialsProvider(credentials).region(Region.of(region))
                .httpClient(UrlConnectionHttpClient.create());
        endpoint.filter(e -> !e.isBlank()).map(URI::create).ifPresent(b::endpointOverride);
        return b.build();
    }
}
