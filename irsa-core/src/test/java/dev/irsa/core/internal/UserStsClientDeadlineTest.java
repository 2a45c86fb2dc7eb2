package dev.irsa.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/** With a user's own STS client, the attempt deadline applies unless the client's own is shorter. */
class UserStsClientDeadlineTest {
    private static StsClient client(Duration own) {
        return StsClient.builder().region(Region.EU_WEST_1).endpointOverride(URI.create("http://127.0.0.1:1"))
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(own))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @Test
    void theShorterOfOursAndTheClientsOwnApplies() {
        Duration ours = Duration.ofSeconds(10);
        try (StsClient none = StsClient.builder().region(Region.EU_WEST_1)
                .credentialsProvider(AnonymousCredentialsProvider.create()).httpClient(UrlConnectionHttpClient.create())
                .build();
             StsClient stricter = client(Duration.ofSeconds(3)); StsClient laxer = client(Duration.ofSeconds(30))) {
            assertThat(StsWebIdentityExchange.attemptTimeout(none, ours)).isEqualTo(ours);
            assertThat(StsWebIdentityExchange.attemptTimeout(stricter, ours)).isEqualTo(Duration.ofSeconds(3));
            assertThat(StsWebIdentityExchange.attemptTimeout(laxer, ours)).isEqualTo(ours);
        }
    }
}
