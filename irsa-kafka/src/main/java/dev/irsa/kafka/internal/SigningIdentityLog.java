package dev.irsa.kafka.internal;

import dev.irsa.core.CredentialSource;
import dev.irsa.core.IrsaConfig;
import dev.irsa.core.SessionState;
import dev.irsa.core.SettingsSource;
import dev.irsa.core.internal.StsEndpoints;
import dev.irsa.sdk.IrsaCredentialsProvider;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * {@code awsDebugCreds=true}: one INFO line "signs as &lt;principal ARN&gt;" per set of credentials, the ARN from
 * STS {@code GetCallerIdentity} signed with them, as aws-msk-iam-auth does (it logs that at DEBUG on every
 * authentication). The first credentials are looked up on the thread that configures the handler; later ones on
 * a daemon thread of its own ({@value #THREAD_NAME}), never on a Kafka network thread. Logs no secret.
 * Thread-safe; {@link #close()} stops the thread.
 */
final class SigningIdentityLog implements AutoCloseable {
    static final String THREAD_NAME = "irsa-kafka-debug-creds";
    private static final Logger log = LoggerFactory.getLogger(KafkaCredentials.class);

    private final String mechanism;
    private final IrsaCredentialsProvider provider;
    /** The chained role's STS region ({@code awsStsRegion}), or null. */
    private final String stsRegion;
    private final SettingsSource settings;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, THREAD_NAME);
        t.setDaemon(true);
        return t;
    });

    SigningIdentityLog(String mechanism, IrsaCredentialsProvider provider, String stsRegion, SettingsSource settings) {
        this.mechanism = mechanism;
        this.provider = provider;
        this.stsRegion = stsRegion;
        this.settings = settings;
    }

    /** Looks the principal of {@code c} up and logs it, on this thread. */
    void now(AwsSessionCredentials c) {
        try {
            URI endpoint = endpoint();
            // The region the session signs its own STS calls for comes before the JVM's settings: the provider may
            // have been given settings of its own (a test's emulator, an application's irsa.region).
            String region = StsEndpoints.regionOfHost(endpoint.getHost()).or(() -> Optional.ofNullable(stsRegion))
                    .or(() -> provider.config().flatMap(IrsaConfig::region))
                    .or(() -> settings.first("aws.region", "AWS_REGION", "AWS_DEFAULT_REGION"))
                    .orElse(StsEndpoints.LOOPBACK_DEFAULT_REGION);
            String arn;
            try (StsClient sts = StsClient.builder().region(Region.of(region)).endpointOverride(endpoint)
                    .credentialsProvider(StaticCredentialsProvider.create(c))
                    .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(2))
                            .socketTimeout(Duration.ofSeconds(5)).build())
                    .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none())).build()) {
                arn = sts.getCallerIdentity().arn();
            }
            log.info("Kafka {} signs as {} (awsDebugCreds=true; these credentials expire at {})", mechanism, arn,
                    c.expirationTime().map(Object::toString).orElse("an unknown time"));
        } catch (RuntimeException e) {
            // the SDK's messages name the endpoint and the error, never the credentials
            log.warn("awsDebugCreds=true: could not tell which principal Kafka {} signs as (STS GetCallerIdentity"
                    + " failed: {}); authentication goes on regardless", mechanism, e.getMessage());
        }
    }

    /** As {@link #now}, on this log's own thread. */
    void later(AwsSessionCredentials c) {
        try {
            thread.execute(() -> now(c));
        } catch (RejectedExecutionException closed) {
            // the handler is closing: nothing left to debug
        }
    }

    /**
     * The STS endpoint the session uses (a chained role's, with its region), else, for EKS Pod Identity (whose
     * agent is no STS), the endpoint the environment names or the region's regional one.
     */
    private URI endpoint() {
        if (provider.source().orElse(null) == CredentialSource.WEB_IDENTITY) {
            Optional<URI> own = provider.state().map(SessionState::stsEndpoint);
            if (own.isPresent()) {
                return own.get();
            }
        }
        return settings.first("aws.endpointUrlSts", "AWS_ENDPOINT_URL_STS")
                .or(() -> settings.first("aws.endpointUrl", "AWS_ENDPOINT_URL"))
                .map(s -> StsEndpoints.parse(s, "AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL"))
                .orElseGet(() -> StsEndpoints.regional(settings.first("aws.region", "AWS_REGION", "AWS_DEFAULT_REGION")
                        .orElseThrow(() -> new IllegalStateException("no AWS region is set (AWS_REGION)"))));
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
