package dev.irsa.testkit;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/** Test helpers: real SDK clients pointed at the emulator, and hand-signed raw requests for tampering. */
final class Sts {
    private Sts() {}

    static StsClient anonymous(URI endpoint, String region) {
        return StsClient.builder().endpointOverride(endpoint).region(Region.of(region))
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none()))
                .build();
    }

    static StsClient signedWith(URI endpoint, String region, Credentials c) {
        return StsClient.builder().endpointOverride(endpoint).region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken())))
                .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none()))
                .build();
    }

    /** Signs a GetCallerIdentity with the SDK's signer, lets the test alter it, sends it raw; returns status and body. */
    static HttpResponse<String> rawGetCallerIdentity(URI endpoint, String region, Credentials c, Instant signingTime,
                                                     String signedBody, String sentBody,
                                                     UnaryOperator<SdkHttpRequest.Builder> tamper) throws Exception {
        SdkHttpFullRequest req = SdkHttpFullRequest.builder().method(SdkHttpMethod.POST).uri(endpoint).encodedPath("/")
                .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .build();
        byte[] payload = signedBody.getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsSessionCredentialsIdentity.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()))
                .request(req)
                .payload(() -> new ByteArrayInputStream(payload))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sts")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signingTime, ZoneOffset.UTC))).request();
        SdkHttpRequest sent = tamper.apply(signed.toBuilder()).build();
        HttpRequest.Builder http = HttpRequest.newBuilder(endpoint.resolve("/"))
                .POST(HttpRequest.BodyPublishers.ofString(sentBody));
        sent.forEachHeader((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                values.forEach(v -> http.header(name, v));
            }
        });
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(http.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Sends a GetCallerIdentity signed the way botocore signs it: the canonical request below is what botocore
     * logs (signed headers content-type;host;x-amz-date;x-amz-security-token, no x-amz-content-sha256, which the
     * Java SDK's signer adds and signs). Built by hand, not with any SDK's signer, so the verifier is checked
     * against the specification rather than against one implementation. {@code contentType} is sent as given and
     * signed trimmed with runs of spaces collapsed, as SigV4 says.
     */
    static HttpResponse<String> rawBotocoreStyle(URI endpoint, String region, Credentials c, Instant signingTime,
                                                 String contentType, String body) throws Exception {
        String amzDate = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(signingTime);
        String date = amzDate.substring(0, 8);
        String host = endpoint.getHost() + ":" + endpoint.getPort();
        String canonical = "POST\n/\n\n"
                + "content-type:" + contentType.trim().replaceAll(" +", " ") + "\n"
                + "host:" + host + "\n"
                + "x-amz-date:" + amzDate + "\n"
                + "x-amz-security-token:" + c.sessionToken() + "\n\n"
                + "content-type;host;x-amz-date;x-amz-security-token\n"
                + sha256Hex(body);
        String scope = date + "/" + region + "/sts/aws4_request";
        String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonical);
        byte[] k = hmac(("AWS4" + c.secretAccessKey()).getBytes(StandardCharsets.UTF_8), date);
        k = hmac(hmac(hmac(k, region), "sts"), "aws4_request");
        String signature = HexFormat.of().formatHex(hmac(k, toSign));
        HttpRequest req = HttpRequest.newBuilder(endpoint.resolve("/"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", contentType)
                .header("X-Amz-Date", amzDate)
                .header("X-Amz-Security-Token", c.sessionToken())
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + c.accessKeyId() + "/" + scope
                        + ", SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=" + signature)
                .build();
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(req, HttpResponse.BodyHandlers.ofString());
    }

    /** The secret with its first character changed (never the same string: a random secret may start with any letter). */
    static String tampered(String secret) {
        return (secret.charAt(0) == 'x' ? "y" : "x") + secret.substring(1);
    }

    private static String sha256Hex(String s) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }
}
