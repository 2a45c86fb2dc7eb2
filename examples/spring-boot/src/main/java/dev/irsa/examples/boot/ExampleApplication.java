package dev.irsa.examples.boot;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * A Spring Boot app on IRSA: irsa-spring-starter contributes the {@link AwsCredentialsProvider} bean, the app builds
 * its SDK clients with it. {@code GET /whoami} shows the assumed role, {@code GET /buckets} lists the S3 buckets it
 * may see; {@code /actuator/health} includes {@code irsa}.
 */
@SpringBootApplication
public class ExampleApplication {
    public static void main(String[] args) {
        SpringApplication.run(ExampleApplication.class, args);
    }

    @Bean(destroyMethod = "close")
    StsClient stsClient(AwsCredentialsProvider credentials, @Value("${AWS_REGION:${AWS_DEFAULT_REGION:us-west-2}}") String region,
                        @Value("${AWS_ENDPOINT_URL_STS:}") String endpoint) {
        StsClientBuilder b = StsClient.builder().region(Region.of(region)).credentialsProvider(credentials);
        if (!endpoint.isBlank()) {
            b.endpointOverride(URI.create(endpoint));
        }
        return b.build();
    }

    /** S3 on the same provider, so the same session; {@code AWS_ENDPOINT_URL_S3} (path-style) for a local S3. */
    @Bean(destroyMethod = "close")
    S3Client s3Client(AwsCredentialsProvider credentials, @Value("${AWS_REGION:${AWS_DEFAULT_REGION:us-west-2}}") String region,
                      @Value("${AWS_ENDPOINT_URL_S3:}") String endpoint) {
        S3ClientBuilder b = S3Client.builder().region(Region.of(region)).credentialsProvider(credentials);
        if (!endpoint.isBlank()) {
            b.endpointOverride(URI.create(endpoint)).forcePathStyle(true);
        }
        return b.build();
    }

    @RestController
    static class WhoAmI {
        private final StsClient sts;
        private final S3Client s3;

        WhoAmI(StsClient sts, S3Client s3) {
            this.sts = sts;
            this.s3 = s3;
        }

        @GetMapping("/buckets")
        List<String> buckets() {
            return s3.listBuckets().buckets().stream().map(Bucket::name).toList();
        }

        @GetMapping("/whoami")
        Map<String, String> whoami() {
            GetCallerIdentityResponse me = sts.getCallerIdentity();
            return Map.of("account", me.account(), "arn", me.arn());
        }
    }
}
