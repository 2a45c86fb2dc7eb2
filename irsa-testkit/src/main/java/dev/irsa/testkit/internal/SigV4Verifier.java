package dev.irsa.testkit.internal;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * Checks an AWS Signature Version 4 {@code Authorization} header by recomputing it with the AWS SDK's own
 * signer over the headers the client says it signed: no hand-rolled crypto. Thread-safe.
 */
public final class SigV4Verifier {
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Duration MAX_AGE = Duration.ofMinutes(15);

    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final Clock clock;
    private final String region;

    public SigV4Verifier(Clock clock, String region) {
        this.clock = clock;
        this.region = region;
    }

    /** The credentials the emulator issued, looked up by access key ID. */
    public record Issued(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration) {
    }

    /** An incoming request as the server saw it. Header names are lower case. */
    public record Incoming(String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> v = headers.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    /** Verifies the request; returns the issued credentials that signed it or throws the STS error. */
    public Issued verify(Incoming req, Function<String, Issued> lookup) {
        String auth = req.header("authorization");
        if (auth == null || auth.isBlank()) {
            throw StsException.sender(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
        }
        if (!auth.startsWith("AWS4-HMAC-SHA256 ")) {
            throw StsException.sender(400, "IncompleteSignature", "Unsupported signing algorithm; use AWS4-HMAC-SHA256.");
        }
        String credential = part(auth, "Credential=");
        String signedHeaders = part(auth, "SignedHeaders=");
        String signature = part(auth, "Signature=");
        if (credential == null || signedHeaders == null || signature == null) {
            throw StsException.sender(400, "IncompleteSignature",
                    "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
        }
        String[] scope = credential.split("/");
        if (scope.length != 5 || !"aws4_request".equals(scope[4])) {
            throw StsException.sender(400, "IncompleteSignature", "Credential scope is malformed: " + credential);
        }
        Issued issued = lookup.apply(scope[0]);
        if (issued == null) {
            throw StsException.sender(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
        }
        String token = req.header("x-amz-security-token");
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                issued.sessionToken().getBytes(StandardCharsets.UTF_8))) {
            throw StsException.sender(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
        }
        Instant now = clock.instant();
        if (!now.isBefore(issued.expiration())) {
            throw StsException.sender(403, "ExpiredToken", "The security token included in the request is expired");
        }
        String amzDate = req.header("x-amz-date");
        Instant signedAt;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(amzDate == null ? "" : amzDate));
        } catch (DateTimeParseException e) {
            throw StsException.sender(400, "IncompleteSignature", "X-Amz-Date is missing or not in the form yyyyMMdd'T'HHmmss'Z'.");
        }
        if (Duration.between(signedAt, now).abs().compareTo(MAX_AGE) > 0) {
            throw StsException.sender(403, "SignatureDoesNotMatch", "Signature expired: " + amzDate
                    + " is now earlier than " + AMZ_DATE.format(now.minus(MAX_AGE)) + " (" + AMZ_DATE.format(now)
                    + " - 15 min.)");
        }
        if (!scope[1].equals(amzDate.substring(0, 8))) {
            throw StsException.sender(403, "SignatureDoesNotMatch", "Credential scope date " + scope[1]
                    + " does not match X-Amz-Date " + amzDate + ".");
        }
        if (!scope[2].equals(region)) {
            throw StsException.sender(403, "SignatureDoesNotMatch", "Credential should be scoped to a valid region. ");
        }
        if (!"sts".equals(scope[3])) {
            throw StsException.sender(403, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'sts'. ");
        }
        String expected = recompute(req, signedHeaders, issued, signedAt);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII))) {
            throw StsException.sender(403, "SignatureDoesNotMatch", "The request signature we calculated does not match"
                    + " the signature you provided. Check your AWS Secret Access Key and signing method. Consult the"
                    + " service documentation for details.");
        }
        return issued;
    }

    private String recompute(Incoming req, String signedHeaders, Issued issued, Instant signedAt) {
        String host = req.header("host");
        if (host == null) {
            throw StsException.sender(400, "IncompleteSignature", "The host header must be signed.");
        }
        int colon = host.lastIndexOf(':');
        SdkHttpFullRequest.Builder b = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.fromValue(req.method().toUpperCase(Locale.ROOT)))
                .protocol("http")
                .host(colon > 0 && !host.endsWith("]") ? host.substring(0, colon) : host)
                .encodedPath(req.path());
        if (colon > 0 && !host.endsWith("]")) {
            b.port(Integer.parseInt(host.substring(colon + 1)));
        }
        if (req.rawQuery() != null) {
            FormData.parse(req.rawQuery()).forEach(b::putRawQueryParameter);
        }
        for (String name : signedHeaders.split(";")) {
            List<String> values = req.headers().get(name);
            if (values != null) {
                b.putHeader(name, values);
            }
        }
        SdkHttpFullRequest http = b.build();
        SignedRequest signed = signer.sign(r -> r
                .identity(AwsSessionCredentialsIdentity.create(issued.accessKeyId(), issued.secretAccessKey(), issued.sessionToken()))
                .request(http)
                .payload(() -> new ByteArrayInputStream(req.body()))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sts")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)));
        String recomputed = signed.request().firstMatchingHeader("Authorization").orElse("");
        String sig = part(recomputed, "Signature=");
        return sig == null ? "" : sig;
    }

    private static String part(String auth, String key) {
        int i = auth.indexOf(key);
        if (i < 0) {
            return null;
        }
        int start = i + key.length();
        int end = auth.indexOf(',', start);
        return (end < 0 ? auth.substring(start) : auth.substring(start, end)).trim();
    }
}
