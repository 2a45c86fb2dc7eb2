package dev.irsa.kafka.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Set;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;

/**
 * An Amazon MSK OAUTHBEARER token, as AWS's {@code aws-msk-iam-sasl-signer-java} makes it: the base64url (unpadded)
 * form of the SigV4-presigned URL {@code https://kafka.<region>.amazonaws.com/?Action=kafka-cluster%3AConnect&...},
 * with a {@code User-Agent} parameter appended after signing. Valid for 15 minutes like AWS's, but never past the
 * signing credentials' expiry. Immutable; {@link #toString()} shows no part of the token.
 */
public final class MskAuthToken implements OAuthBearerToken {
    /** How long AWS's signers make a token valid. */
    public static final Duration MAX_VALIDITY = Duration.ofMinutes(15);
    private static final String SERVICE = "kafka-cluster";
    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();
    private static final String USER_AGENT = "irsa-kafka/" + version();

    private final String value;
    private final long startTimeMs;
    private final long lifetimeMs;

    private MskAuthToken(String value, long startTimeMs, long lifetimeMs) {
        this.value = value;
        this.startTimeMs = startTimeMs;
        this.lifetimeMs = lifetimeMs;
    }

    /**
     * Signs a token.
     *
     * @param credentials the session credentials to sign with
     * @param region the cluster's region
     * @param clock the time to sign at
     * @return the token; its lifetime ends at the earlier of 15 minutes and the credentials' expiry
     * @throws IllegalStateException if the credentials have already expired
     */
    public static MskAuthToken sign(AwsSessionCredentials credentials, String region, Clock clock) {
        // SigV4 dates have whole seconds: sign at a whole second so the lifetime below is the signed one exactly.
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Duration validity = MAX_VALIDITY;
        Instant expiry = credentials.expirationTime().orElse(null);
        if (expiry != null) {
            Duration left = Duration.between(now, expiry);
            if (left.toSeconds() < 1) {
                throw new IllegalStateException("The IRSA credentials expired at " + expiry + "; no MSK token can be signed");
            }
            validity = left.compareTo(validity) < 0 ? Duration.ofSeconds(left.toSeconds()) : validity;
        }
        SdkHttpRequest request = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).protocol("https")
                .host("kafka." + region + ".amazonaws.com").encodedPath("/")
                .appendRawQueryParameter("Action", "kafka-cluster:Connect").build();
        Duration v = validity;
        SdkHttpRequest signed = SIGNER.sign(r -> r.identity(credentials).request(request)
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, SERVICE)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, v)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(now, ZoneOffset.UTC))).request();
        String url = signed.getUri().toString() + "&User-Agent=" + URLEncoder.encode(USER_AGENT, StandardCharsets.UTF_8);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(url.getBytes(StandardCharsets.UTF_8));
        return new MskAuthToken(token, now.toEpochMilli(), now.plus(validity).toEpochMilli());
    }

    private static String version() {
        String v = MskAuthToken.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String value() {
        return value;
    }

    @Override
    public Set<String> scope() {
        return Set.of();
    }

    @Override
    public long lifetimeMs() {
        return lifetimeMs;
    }

    /** {@return {@code kafka-cluster}, as AWS's token says: the broker takes the principal from the signature} */
    @Override
    public String principalName() {
        return SERVICE;
    }

    @Override
    public Long startTimeMs() {
        return startTimeMs;
    }

    @Override
    public String toString() {
        return "MskAuthToken[startTimeMs=" + startTimeMs + ", lifetimeMs=" + lifetimeMs + "]";
    }
}
