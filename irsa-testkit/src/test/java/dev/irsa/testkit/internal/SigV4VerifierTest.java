package dev.irsa.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.Objects;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.AwsS3V4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4PresignerParams;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.Region;

/**
 * The verifier against published vectors: the AWS SigV4 test suite (see
 * {@code src/test/resources/aws-sig-v4-test-suite/README.md} for where the files come from) and the S3
 * documentation's header-signed and presigned examples.
 */
class SigV4VerifierTest {
    private static final String SUITE = "/aws-sig-v4-test-suite/";
    private static final Instant SUITE_NOW = Instant.parse("2015-08-30T12:36:00Z");
    private static final SigV4Verifier.SecretLookup SUITE_SECRETS =
            akid -> akid.equals("AKIDEXAMPLE") ? "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" : null;

    @ParameterizedTest
    @ValueSource(strings = {"get-vanilla", "get-vanilla-query", "get-vanilla-query-order-key", "get-vanilla-query-order-key-case",
            "get-vanilla-query-order-value", "get-vanilla-query-order-encoded", "get-vanilla-query-unreserved",
            "get-vanilla-utf8-query", "get-vanilla-empty-query-key", "get-header-key-duplicate", "get-header-value-multiline",
            "get-header-value-order", "get-header-value-trim", "get-unreserved", "get-utf8", "post-header-key-case",
            "post-header-key-sort", "post-header-value-case", "post-vanilla", "post-vanilla-query",
            "post-vanilla-empty-query-value", "post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters",
            "post-sts-header-before", "post-sts-header-after", "get-relative", "get-relative-relative", "get-slash",
            "get-slash-dot-slash", "get-slash-pointless-dot", "get-slashes", "get-space", "get-special-character"})
    void acceptsTheTestSuitesSignatureAndBuildsItsCanonicalRequest(String name) throws IOException {
        SigV4Verifier.Request req = suiteRequest(name);
        String creq = resource(name + ".creq");
        List<String> signedHeaders = List.of(creq.split("\n")[creq.split("\n").length - 2].split(";"));
        String payloadHash = creq.substring(creq.lastIndexOf('\n') + 1);

        assertThat(SigV4Verifier.canonicalRequest(req, signedHeaders, payloadHash, "service")).isEqualTo(creq);
        SigV4Verifier.Result r = SigV4Verifier.verify(req, SUITE_SECRETS, SUITE_NOW);
        assertThat(r.failure()).as(r.message()).isNull();
        assertThat(r.accessKeyId()).isEqualTo("AKIDEXAMPLE");
        assertThat(r.region()).isEqualTo("us-east-1");
        assertThat(r.service()).isEqualTo("service");
        assertThat(r.signedAt()).isEqualTo(SUITE_NOW);
        assertThat(r.presigned()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"get-vanilla", "get-header-value-trim", "post-x-www-form-urlencoded", "get-vanilla-query-order-key-case"})
    void refusesTheTestSuitesRequestsWhenAnythingSignedChanges(String name) throws IOException {
        SigV4Verifier.Request req = suiteRequest(name);
        assertThat(SigV4Verifier.verify(req, akid -> "wrong-secret", SUITE_NOW).failure())
                .isEqualTo(SigV4Verifier.Failure.SIGNATURE_MISMATCH);
        assertThat(SigV4Verifier.verify(with(req, "x-amz-date", "20150830T123601Z"), SUITE_SECRETS, SUITE_NOW).failure())
                .isEqualTo(SigV4Verifier.Failure.SIGNATURE_MISMATCH);
        assertThat(SigV4Verifier.verify(new SigV4Verifier.Request(req.method(), req.rawPath() + "x", req.rawQuery(),
                req.headers(), req.body()), SUITE_SECRETS, SUITE_NOW).failure()).isEqualTo(SigV4Verifier.Failure.SIGNATURE_MISMATCH);
        assertThat(SigV4Verifier.verify(new SigV4Verifier.Request(req.method(), req.rawPath(), "Extra=1",
                req.headers(), req.body()), SUITE_SECRETS, SUITE_NOW).failure()).isEqualTo(SigV4Verifier.Failure.SIGNATURE_MISMATCH);
        assertThat(SigV4Verifier.verify(new SigV4Verifier.Request(req.method(), req.rawPath(), req.rawQuery(),
                req.headers(), "x".getBytes(StandardCharsets.UTF_8)), SUITE_SECRETS, SUITE_NOW).failure())
                .isEqualTo(SigV4Verifier.Failure.SIGNATURE_MISMATCH);
    }

    @Test
    void headerSignedRequestsMustBeWithinFifteenMinutes() throws IOException {
        SigV4Verifier.Request req = suiteRequest("get-vanilla");
        assertThat(SigV4Verifier.verify(req, SUITE_SECRETS, SUITE_NOW.plus(Duration.ofMinutes(15))).valid()).isTrue();
        assertThat(SigV4Verifier.verify(req, SUITE_SECRETS, SUITE_NOW.minus(Duration.ofMinutes(15))).valid()).isTrue();

        SigV4Verifier.Result late = SigV4Verifier.verify(req, SUITE_SECRETS, SUITE_NOW.plus(Duration.ofMinutes(16)));
        assertThat(late.failure()).isEqualTo(SigV4Verifier.Failure.EXPIRED);
        assertThat(late.message()).isEqualTo("Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z"
                + " (20150830T125200Z - 15 min.)");
        SigV4Verifier.Result early = SigV4Verifier.verify(req, SUITE_SECRETS, SUITE_NOW.minus(Duration.ofMinutes(16)));
        assertThat(early.failure()).isEqualTo(SigV4Verifier.Failure.NOT_YET_VALID);
        assertThat(early.message()).startsWith("Signature not yet current: 20150830T123600Z is still later than");
    }

    @Test
    void precisesWhatIsMissingOrUnknown() throws IOException {
        SigV4Verifier.Request req = suiteRequest("get-vanilla");
        assertThat(SigV4Verifier.verify(with(req, "authorization", null), SUITE_SECRETS, SUITE_NOW).failure())
                .isEqualTo(SigV4Verifier.Failure.MISSING_AUTHENTICATION);
        assertThat(SigV4Verifier.verify(req, akid -> null, SUITE_NOW).failure()).isEqualTo(SigV4Verifier.Failure.UNKNOWN_ACCESS_KEY);
        assertThat(SigV4Verifier.verify(with(req, "x-amz-date", null), SUITE_SECRETS, SUITE_NOW).failure())
                .isEqualTo(SigV4Verifier.Failure.INCOMPLETE_SIGNATURE);
        assertThat(SigV4Verifier.verify(with(req, "x-amz-date", "20150831T123600Z"), SUITE_SECRETS, SUITE_NOW).failure())
                .isEqualTo(SigV4Verifier.Failure.SCOPE_DATE_MISMATCH);
        String auth = req.header("authorization").get(0);
        assertThat(SigV4Verifier.verify(with(req, "authorization", auth.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256")),
                SUITE_SECRETS, SUITE_NOW).failure()).isEqualTo(SigV4Verifier.Failure.UNSUPPORTED_ALGORITHM);
        assertThat(SigV4Verifier.verify(with(req, "authorization", auth.replace("SignedHeaders=host;x-amz-date, ", "")),
                SUITE_SECRETS, SUITE_NOW).failure()).isEqualTo(SigV4Verifier.Failure.INCOMPLETE_SIGNATURE);
        SigV4Verifier.Result missingHeader = SigV4Verifier.verify(with(req, "authorization",
                auth.replace("SignedHeaders=host;x-amz-date", "SignedHeaders=host;my-header;x-amz-date")), SUITE_SECRETS, SUITE_NOW);
        assertThat(missingHeader.failure()).isEqualTo(SigV4Verifier.Failure.SIGNATURE_MISMATCH);
        assertThat(missingHeader.message()).contains("'my-header'");
    }

    @Test
    void dateHeaderStandsInForXAmzDate() throws IOException {
        // get-vanilla signed with the same instant given as an RFC 1123 Date header: the string to sign is the same.
        SigV4Verifier.Request req = with(with(suiteRequest("get-vanilla"), "x-amz-date", null), "date", "Sun, 30 Aug 2015 12:36:00 GMT");
        String auth = req.header("authorization").get(0).replace("x-amz-date", "date");
        // The signed header name changed, so the signature must change: checked to be refused, not accepted.
        assertThat(SigV4Verifier.verify(with(req, "authorization", auth), SUITE_SECRETS, SUITE_NOW).failure())
                .isEqualTo(SigV4Verifier.Failure.SIGNATURE_MISMATCH);
        // Not signed: Date still dates the request.
        SigV4Verifier.Result r = SigV4Verifier.verify(with(req, "authorization",
                auth.replace("SignedHeaders=host;date", "SignedHeaders=host")), SUITE_SECRETS, SUITE_NOW);
        assertThat(r.signedAt()).isEqualTo(SUITE_NOW);
    }

    // S3 documentation, "Signature Calculations for the Authorization Header" (GET Object example) and
    // "Authenticating Requests: Using Query Parameters" (presigned URL example):
    // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html and sigv4-query-string-auth.html
    private static final SigV4Verifier.SecretLookup S3_DOC_SECRETS =
            akid -> akid.equals("AKIAIOSFODNN7EXAMPLE") ? "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" : null;
    private static final Instant S3_DOC_NOW = Instant.parse("2013-05-24T00:00:00Z");

    @Test
    void s3HeaderExampleWithContentSha256AndRange() {
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("Host", List.of("examplebucket.s3.amazonaws.com"));
        h.put("Range", List.of("bytes=0-9"));
        h.put("x-amz-content-sha256", List.of("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        h.put("x-amz-date", List.of("20130524T000000Z"));
        h.put("Authorization", List.of("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
        SigV4Verifier.Request req = new SigV4Verifier.Request("GET", "/test.txt", null, h, new byte[0]);
        SigV4Verifier.Result r = SigV4Verifier.verify(req, S3_DOC_SECRETS, S3_DOC_NOW);
        assertThat(r.failure()).as(r.message()).isNull();
        assertThat(r.service()).isEqualTo("s3");

        SigV4Verifier.Result wrongBody = SigV4Verifier.verify(new SigV4Verifier.Request("GET", "/test.txt", null, h,
                "x".getBytes(StandardCharsets.UTF_8)), S3_DOC_SECRETS, S3_DOC_NOW);
        assertThat(wrongBody.failure()).isEqualTo(SigV4Verifier.Failure.SIGNATURE_MISMATCH);
        assertThat(wrongBody.message()).contains("x-amz-content-sha256");
    }

    private static final String S3_PRESIGNED_QUERY = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

    @Test
    void s3PresignedExample() {
        SigV4Verifier.Request req = new SigV4Verifier.Request("GET", "/test.txt", S3_PRESIGNED_QUERY,
                Map.of("Host", List.of("examplebucket.s3.amazonaws.com")), null);
        SigV4Verifier.Result r = SigV4Verifier.verify(req, S3_DOC_SECRETS, S3_DOC_NOW.plus(Duration.ofHours(23)));
        assertThat(r.failure()).as(r.message()).isNull();
        assertThat(r.presigned()).isTrue();
        assertThat(r.accessKeyId()).isEqualTo("AKIAIOSFODNN7EXAMPLE");
        assertThat(r.signedHeaders()).containsExactly("host");

        SigV4Verifier.Result expired = SigV4Verifier.verify(req, S3_DOC_SECRETS, S3_DOC_NOW.plus(Duration.ofSeconds(86401)));
        assertThat(expired.failure()).isEqualTo(SigV4Verifier.Failure.EXPIRED);
        assertThat(SigV4Verifier.verify(req, S3_DOC_SECRETS, S3_DOC_NOW.minus(Duration.ofMinutes(16))).failure())
                .isEqualTo(SigV4Verifier.Failure.NOT_YET_VALID);
        assertThat(SigV4Verifier.verify(new SigV4Verifier.Request("GET", "/test.txt", S3_PRESIGNED_QUERY + "&x-id=GetObject",
                req.headers(), null), S3_DOC_SECRETS, S3_DOC_NOW).failure()).isEqualTo(SigV4Verifier.Failure.SIGNATURE_MISMATCH);
        assertThat(SigV4Verifier.verify(new SigV4Verifier.Request("GET", "/test.txt",
                S3_PRESIGNED_QUERY.replace("X-Amz-Expires=86400", "X-Amz-Expires=604801"), req.headers(), null),
                S3_DOC_SECRETS, S3_DOC_NOW).failure()).isEqualTo(SigV4Verifier.Failure.INCOMPLETE_SIGNATURE);
        Map<String, List<String>> both = new LinkedHashMap<>(req.headers());
        both.put("authorization", List.of("AWS4-HMAC-SHA256 Credential=x"));
        assertThat(SigV4Verifier.verify(new SigV4Verifier.Request("GET", "/test.txt", S3_PRESIGNED_QUERY, both, null),
                S3_DOC_SECRETS, S3_DOC_NOW).failure()).isEqualTo(SigV4Verifier.Failure.INCOMPLETE_SIGNATURE);
    }

    /** {@code GET https://host/?Action=connect} presigned for {@code service} by a legacy SDK signer at {@link #S3_DOC_NOW}. */
    @SuppressWarnings("deprecation") // Aws4Signer signs the empty body's hash, AwsS3V4Signer UNSIGNED-PAYLOAD
    private static SigV4Verifier.Request presigned(
            BiFunction<SdkHttpFullRequest, Aws4PresignerParams, SdkHttpFullRequest> signer, String service) {
        SdkHttpFullRequest req = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).protocol("https").host("db.example.com")
                .encodedPath("/").putRawQueryParameter("Action", "connect").build();
        SdkHttpFullRequest signed = signer.apply(req, Aws4PresignerParams.builder()
                .awsCredentials(AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))
                .signingName(service).signingRegion(Region.US_EAST_1)
                .signingClockOverride(java.time.Clock.fixed(S3_DOC_NOW, java.time.ZoneOffset.UTC))
                .expirationTime(S3_DOC_NOW.plusSeconds(900)).build());
        return new SigV4Verifier.Request("GET", "/", signed.getUri().getRawQuery(), Map.of("Host", List.of("db.example.com")), null);
    }

    @Test
    @SuppressWarnings("deprecation")
    void presignedPayloadHashIsTheEmptyBodysExceptForS3() {
        SigV4Verifier.Result emptyHash = SigV4Verifier.verify(presigned(Aws4Signer.create()::presign, "rds-db"), S3_DOC_SECRETS, S3_DOC_NOW);
        assertThat(emptyHash.failure()).as(emptyHash.message()).isNull();
        SigV4Verifier.Result unsigned = SigV4Verifier.verify(presigned(AwsS3V4Signer.create()::presign, "rds-db"), S3_DOC_SECRETS, S3_DOC_NOW);
        assertThat(unsigned.failure()).isEqualTo(SigV4Verifier.Failure.SIGNATURE_MISMATCH);
        assertThat(unsigned.message()).contains("SHA-256 of the empty body").contains("UNSIGNED-PAYLOAD");

        // S3 the other way round: its presigned URLs sign UNSIGNED-PAYLOAD (the documentation's example, above).
        assertThat(SigV4Verifier.verify(presigned(AwsS3V4Signer.create()::presign, "s3"), S3_DOC_SECRETS, S3_DOC_NOW).failure()).isNull();
        assertThat(SigV4Verifier.verify(presigned(Aws4Signer.create()::presign, "s3"), S3_DOC_SECRETS, S3_DOC_NOW).failure())
                .isEqualTo(SigV4Verifier.Failure.SIGNATURE_MISMATCH);
    }

    @Test
    @SuppressWarnings("deprecation")
    void s3OutpostsAndS3ExpressPresignUnsignedPayloadAsS3Does() {
        // botocore signs all three with S3SigV4Auth: UNSIGNED-PAYLOAD in presigned URLs.
        for (String service : List.of("s3-outposts", "s3express")) {
            SigV4Verifier.Result r = SigV4Verifier.verify(presigned(AwsS3V4Signer.create()::presign, service),
                    S3_DOC_SECRETS, S3_DOC_NOW);
            assertThat(r.failure()).as(service + ": " + r.message()).isNull();
        }
    }

    @Test
    void presignedRequestsMayNotDeclareAnotherPayloadHashOutsideS3() {
        // A client that puts X-Amz-Content-Sha256=UNSIGNED-PAYLOAD in the query and signs it: only S3 honours that.
        SigV4Verifier.Request req = presigned(Aws4Signer.create()::presign, "rds-db");
        SigV4Verifier.Request declared = new SigV4Verifier.Request("GET", "/", req.rawQuery() + "&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD",
                req.headers(), null);
        SigV4Verifier.Result r = SigV4Verifier.verify(declared, S3_DOC_SECRETS, S3_DOC_NOW);
        assertThat(r.failure()).isEqualTo(SigV4Verifier.Failure.SIGNATURE_MISMATCH);
        assertThat(r.message()).contains("X-Amz-Content-Sha256");
    }

    @Test
    void presignedRequestsNameEachAuthenticationParameterOnce() {
        SigV4Verifier.Request req = presigned(Aws4Signer.create()::presign, "rds-db");
        for (String twice : List.of("X-Amz-Date=20130524T000000Z", "X-Amz-Expires=60", "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Frds-db%2Faws4_request")) {
            SigV4Verifier.Result r = SigV4Verifier.verify(new SigV4Verifier.Request("GET", "/", req.rawQuery() + "&" + twice,
                    req.headers(), null), S3_DOC_SECRETS, S3_DOC_NOW);
            assertThat(r.failure()).as(twice).isEqualTo(SigV4Verifier.Failure.INCOMPLETE_SIGNATURE);
            assertThat(r.message()).contains(twice.substring(0, twice.indexOf('=')));
        }
    }

    @Test
    void uriEncodingKeepsOnlyUnreservedCharacters() {
        assertThat(SigV4Verifier.uriEncode("a b+c*d~e%7E/f", true)).isEqualTo("a%20b%2Bc%2Ad~e%257E%2Ff");
        assertThat(SigV4Verifier.uriEncode("/a b/", false)).isEqualTo("/a%20b/");
    }

    // ------------------------------------------------------------------------------------------------------

    /** The suite's .req with the .authz added as the Authorization header. */
    private static SigV4Verifier.Request suiteRequest(String name) throws IOException {
        String raw = resource(name + ".req");
        int blank = raw.indexOf("\n\n");
        String head = blank < 0 ? raw : raw.substring(0, blank);
        String body = blank < 0 ? "" : raw.substring(blank + 2);
        String[] lines = head.split("\n");
        String requestLine = lines[0];
        String method = requestLine.substring(0, requestLine.indexOf(' '));
        String target = requestLine.substring(requestLine.indexOf(' ') + 1, requestLine.lastIndexOf(" HTTP/"));
        int q = target.indexOf('?');
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String last = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
                // An obsolete folded continuation line: part of the previous header's value, joined by a space.
                List<String> v = headers.get(last);
                v.set(v.size() - 1, v.get(v.size() - 1) + " " + line.trim());
                continue;
            }
            int colon = line.indexOf(':');
            last = line.substring(0, colon).toLowerCase();
            headers.computeIfAbsent(last, k -> new ArrayList<>()).add(line.substring(colon + 1));
        }
        headers.put("authorization", List.of(resource(name + ".authz").trim()));
        return new SigV4Verifier.Request(method, q < 0 ? target : target.substring(0, q), q < 0 ? null : target.substring(q + 1),
                headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static SigV4Verifier.Request with(SigV4Verifier.Request req, String header, String value) {
        Map<String, List<String>> h = new LinkedHashMap<>(req.headers());
        if (value == null) {
            h.remove(header);
        } else {
            h.put(header, List.of(value));
        }
        return new SigV4Verifier.Request(req.method(), req.rawPath(), req.rawQuery(), h, req.body());
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = Objects.requireNonNull(SigV4VerifierTest.class.getResourceAsStream(SUITE + name), name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        }
    }
}
