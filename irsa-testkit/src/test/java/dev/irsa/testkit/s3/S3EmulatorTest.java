package dev.irsa.testkit.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.IssuedCredentials;
import dev.irsa.testkit.ManualClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpService;
import dev.irsa.testkit.internal.SigV4Verifier;
import java.util.Optional;
import java.util.ServiceLoader;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * {@link S3Emulator} with the SDK's own S3 client (its signer, its aws-chunked bodies and default checksums, over
 * plain HTTP on loopback) against credentials a real {@link IrsaEnvironment}'s STS emulator issued: what it accepts,
 * and that each refusal is S3's.
 */
class S3EmulatorTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private ManualClock clock;
    private IrsaEnvironment env;
    private S3Emulator s3;
    private IssuedCredentials issued;

    @BeforeEach
    void start() {
        clock = ManualClock.now();
        env = IrsaEnvironment.builder().clock(clock).start();
        s3 = S3Emulator.builder().sts(env.sts()).bucket("app-bucket").start();
        issued = env.sts().issueFor(env.roleArn(), "s3-test", Duration.ofHours(1));
    }

    @AfterEach
    void stop() {
        s3.close();
        env.close();
    }

    private S3Client client(AwsCredentialsProvider credentials) {
        return client(credentials, sdkHttpClient());
    }

    private S3Client client(AwsCredentialsProvider credentials, SdkHttpClient http) {
        // no retries: a refusal must reach the test as it was answered, not be retried with a corrected clock
        return S3Client.builder().endpointOverride(s3.endpoint()).region(Region.of(env.region())).forcePathStyle(true)
                .credentialsProvider(credentials).httpClient(http)
                .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry())).build();
    }

    private StaticCredentialsProvider issuedProvider() {
        return StaticCredentialsProvider.create(AwsSessionCredentials.create(issued.accessKeyId(),
                issued.secretAccessKey(), issued.sessionToken()));
    }

    private S3Request last() {
        List<S3Request> all = s3.requests();
        return all.get(all.size() - 1);
    }

    @Test
    void theSdksClientWithIssuedCredentialsRunsEveryOperation() {
        try (S3Client client = client(issuedProvider())) {
            client.createBucket(b -> b.bucket("other-bucket"));
            assertThat(client.listBuckets().buckets()).extracting(b -> b.name()).containsExactly("app-bucket", "other-bucket");
            client.putObject(p -> p.bucket("app-bucket").key("dir/greeting.txt").contentType("text/plain"),
                    RequestBody.fromString("hello from the pod"));
            client.putObject(p -> p.bucket("app-bucket").key("dir/second"), RequestBody.fromBytes(new byte[70_000]));
            assertThat(client.getObjectAsBytes(g -> g.bucket("app-bucket").key("dir/greeting.txt")).asUtf8String())
                    .isEqualTo("hello from the pod");
            assertThat(client.headObject(h -> h.bucket("app-bucket").key("dir/greeting.txt")).contentLength()).isEqualTo(18);
            assertThat(client.listObjectsV2(l -> l.bucket("app-bucket").prefix("dir/").maxKeys(1)).contents())
                    .extracting(S3Object::key).containsExactly("dir/greeting.txt");
            assertThat(client.listObjectsV2Paginator(l -> l.bucket("app-bucket").maxKeys(1)).contents().stream()
                    .map(S3Object::key).toList()).containsExactly("dir/greeting.txt", "dir/second");
            client.deleteObject(d -> d.bucket("app-bucket").key("dir/second"));
            assertThat(s3.object("app-bucket", "dir/second")).isEmpty();
            assertThatThrownBy(() -> client.getObjectAsBytes(g -> g.bucket("app-bucket").key("dir/second")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("NoSuchKey"));
        }
        assertThat(s3.object("app-bucket", "dir/greeting.txt")).hasValue("hello from the pod".getBytes(StandardCharsets.UTF_8));
        assertThat(s3.requests()).allSatisfy(r -> {
            assertThat(r.accessKeyId()).isEqualTo(issued.accessKeyId());
            assertThat(r.authenticated()).isTrue();
        });
        assertThat(s3.requests()).extracting(S3Request::operation).containsExactly("CreateBucket", "ListBuckets",
                "PutObject", "PutObject", "GetObject", "HeadObject", "ListObjectsV2", "ListObjectsV2", "ListObjectsV2",
                "DeleteObject", "GetObject");
        // what the SDK sends for a PutObject over plain HTTP with its default checksums: a signed aws-chunked body
        // with a trailing checksum, whose chunk and trailer signatures the emulator verified
        assertThat(s3.requests()).filteredOn(r -> r.operation().equals("PutObject"))
                .extracting(S3Request::contentSha256).containsOnly("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
        assertThat(s3.toString()).doesNotContain(issued.secretAccessKey());
    }

    @Test
    void aKeyTheEmulatorDidNotIssueIsInvalidAccessKeyId() {
        var unknown = StaticCredentialsProvider.create(AwsSessionCredentials.create("ASIAUNKNOWNKEY000000",
                issued.secretAccessKey(), issued.sessionToken()));
        try (S3Client client = client(unknown)) {
            assertRefused(() -> client.listBuckets(), 403, "InvalidAccessKeyId");
        }
        assertThat(last().accessKeyId()).isEqualTo("ASIAUNKNOWNKEY000000");
        assertThat(last().authenticated()).isFalse();
    }

    @Test
    void anotherSecretIsSignatureDoesNotMatch() {
        var wrong = StaticCredentialsProvider.create(AwsSessionCredentials.create(issued.accessKeyId(),
                "not-the-issued-secret-0000000000000000000", issued.sessionToken()));
        try (S3Client client = client(wrong)) {
            assertRefused(() -> client.putObject(p -> p.bucket("app-bucket").key("k"), RequestBody.fromString("x")),
                    403, "SignatureDoesNotMatch");
        }
        assertThat(s3.object("app-bucket", "k")).isEmpty();
        assertThat(last().accessKeyId()).isEqualTo(issued.accessKeyId());
    }

    @Test
    void anotherSessionTokenIsInvalidToken() {
        var wrong = StaticCredentialsProvider.create(AwsSessionCredentials.create(issued.accessKeyId(),
                issued.secretAccessKey(), "another-token"));
        try (S3Client client = client(wrong)) {
            assertRefused(() -> client.listBuckets(), 400, "InvalidToken");
        }
    }

    @Test
    void aSignatureFifteenMinutesOffTheClockIsRequestTimeTooSkewed() {
        clock.advance(Duration.ofMinutes(16));
        try (S3Client client = client(issuedProvider())) {
            assertRefused(() -> client.listBuckets(), 403, "RequestTimeTooSkewed");
        }
    }

    @Test
    void expiredCredentialsAreExpiredToken() {
        IssuedCredentials shortLived = env.sts().issueFor(env.roleArn(), "short", Duration.ofMinutes(5));
        clock.advance(Duration.ofMinutes(6)); // past the expiry, within the 15 minutes of skew S3 allows
        var provider = StaticCredentialsProvider.create(AwsSessionCredentials.create(shortLived.accessKeyId(),
                shortLived.secretAccessKey(), shortLived.sessionToken()));
        try (S3Client client = client(provider)) {
            assertRefused(() -> client.listBuckets(), 400, "ExpiredToken");
        }
    }

    @Test
    void anUnsignedRequestIsAccessDenied() {
        try (S3Client client = client(AnonymousCredentialsProvider.create())) {
            assertRefused(() -> client.listBuckets(), 403, "AccessDenied");
        }
        assertThat(last().accessKeyId()).isNull();
    }

    @Test
    void aMalformedAuthorizationHeaderIs400() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(s3.endpoint().resolve("/app-bucket/k"))
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + issued.accessKeyId()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("<Code>AuthorizationHeaderMalformed</Code>");
        assertThat(last().errorCode()).isEqualTo("AuthorizationHeaderMalformed");
        assertThat(last().authenticated()).isFalse();
    }

    @Test
    void aBodyThatIsNotTheSignedHashIsXAmzContentSha256Mismatch() throws Exception {
        SignedRequest signed = sign("PUT", "/app-bucket/k", "signed body", true);
        HttpResponse<String> r = send(signed, "another body");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("<Code>XAmzContentSHA256Mismatch</Code>");
        assertThat(s3.object("app-bucket", "k")).isEmpty();

        HttpResponse<String> ok = send(sign("PUT", "/app-bucket/k", "signed body", true), "signed body");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(s3.object("app-bucket", "k")).hasValue("signed body".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aDeclaredHashOtherThanTheSignedOneIsSignatureDoesNotMatch() throws Exception {
        SignedRequest signed = sign("PUT", "/app-bucket/k", "signed body", true);
        String otherHash = dev.irsa.testkit.internal.SigV4Verifier.sha256Hex("another body".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = send(signed, "another body", otherHash);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("<Code>SignatureDoesNotMatch</Code>");
    }

    @Test
    void aSignedChecksumThatIsNotTheBodysIsBadDigest() throws Exception {
        String wrong = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        HttpResponse<String> r = send(sign("PUT", "/app-bucket/k", "a body", true, "x-amz-checksum-sha256", wrong), "a body");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("<Code>BadDigest</Code>");
        assertThat(s3.object("app-bucket", "k")).isEmpty();
    }

    @Test
    void everyAwsChunkedModeIsDecoded() throws Exception {
        String body = "x".repeat(200_000);
        for (String[] mode : new String[][] {{"STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "true", null},
                {"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "true", "CRC32"},
                {"STREAMING-UNSIGNED-PAYLOAD-TRAILER", "false", "CRC32C"}}) {
            SignedRequest signed = signChunked(body, Boolean.parseBoolean(mode[1]), mode[2]);
            HttpResponse<String> r = send(signed, payload(signed), null);
            assertThat(r.statusCode()).as(mode[0] + ": " + r.body()).isEqualTo(200);
            assertThat(last().contentSha256()).isEqualTo(mode[0]);
            assertThat(s3.object("app-bucket", "chunked")).hasValue(body.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void anUnsignedChunkChangedOnTheWayIsBadDigest() throws Exception {
        SignedRequest signed = signChunked("hello from the pod", false, "CRC32");
        HttpResponse<String> r = send(signed, payload(signed).replace("hello", "jello"), null);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("<Code>BadDigest</Code>");
    }

    @Test
    void unsignedPayloadIsAcceptedAsS3Does() throws Exception {
        HttpResponse<String> r = send(sign("PUT", "/app-bucket/k", "any body", false), "any body");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(last().contentSha256()).isEqualTo("UNSIGNED-PAYLOAD");
        assertThat(last().accepted()).isTrue();
    }

    @Test
    void aChunkChangedAfterSigningIsSignatureDoesNotMatch() {
        SdkHttpClient tampering = tamperingClient(body -> body.replace("hello from the pod", "jello from the pod"));
        try (S3Client client = client(issuedProvider(), tampering)) {
            assertRefused(() -> client.putObject(p -> p.bucket("app-bucket").key("k"),
                    RequestBody.fromString("hello from the pod")), 403, "SignatureDoesNotMatch");
        }
        assertThat(last().contentSha256()).isEqualTo("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
        assertThat(s3.object("app-bucket", "k")).isEmpty();
    }

    @Test
    void aTrailingChecksumChangedAfterSigningIsRefused() {
        SdkHttpClient tampering = tamperingClient(body -> body.replaceFirst("x-amz-checksum-crc32:[^\\r]+",
                "x-amz-checksum-crc32:AAAAAA=="));
        try (S3Client client = client(issuedProvider(), tampering)) {
            assertRefused(() -> client.putObject(p -> p.bucket("app-bucket").key("k"),
                    RequestBody.fromString("hello from the pod")), 403, "SignatureDoesNotMatch");
        }
        assertThat(s3.object("app-bucket", "k")).isEmpty();
    }

    @Test
    void aPresignedGetWorksUntilItExpires() throws Exception {
        s3.putObject("app-bucket", "shared.txt", "shared".getBytes(StandardCharsets.UTF_8));
        try (S3Presigner presigner = S3Presigner.builder().endpointOverride(s3.endpoint()).region(Region.of(env.region()))
                .credentialsProvider(issuedProvider()).serviceConfiguration(
                S3Configuration.builder().pathStyleAccessEnabled(true).build()).build()) {
            URI url = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket("app-bucket").key("shared.txt"))).url().toURI();
            HttpResponse<String> got = HTTP.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
            assertThat(got.body()).isEqualTo("shared");

            URI tampered = URI.create(url.toString().replace("shared.txt", "other.txt"));
            HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(tampered).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("<Code>SignatureDoesNotMatch</Code>");

            clock.advance(Duration.ofMinutes(6));
            HttpResponse<String> expired = HTTP.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(expired.statusCode()).isEqualTo(403);
            assertThat(expired.body()).contains("<Code>AccessDenied</Code>").contains("Request has expired");
        }
    }

    @Test
    void closeReleasesItsThreads() {
        try (S3Client client = client(issuedProvider())) {
            client.listBuckets();
        }
        assertThat(Thread.getAllStackTraces().keySet()).anyMatch(t -> t.getName().startsWith("irsa-testkit-s3") && t.isDaemon());
        s3.close();
        Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("irsa-testkit-s3"))
                .forEach(t -> {
                    try {
                        t.join(10_000); // a thread that never ends still fails below
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("irsa-testkit-s3") && t.isAlive());
    }

    @Test
    void keysWithEmptySegmentsAreSignedAsTheApache5ClientSendsThem() {
        // Apache5 signs /app-bucket/a//b, then sends /app-bucket/a/%2Fb: S3 checks the signature over the decoded key
        SdkHttpClient apache5 = apache5HttpClient();
        try (S3Client client = client(issuedProvider(), apache5)) {
            for (String key : List.of("a//b", "/lead", "x/./y", "sp ace+plus~*")) {
                client.putObject(p -> p.bucket("app-bucket").key(key), RequestBody.fromString(key));
                assertThat(client.getObjectAsBytes(g -> g.bucket("app-bucket").key(key)).asUtf8String()).isEqualTo(key);
                assertThat(s3.object("app-bucket", key)).hasValue(key.getBytes(StandardCharsets.UTF_8));
            }
        }
        assertThat(s3.requests()).allSatisfy(r -> assertThat(r.accepted()).isTrue());
    }

    @Test
    void maxKeysZeroIsAnEmptyPage() {
        s3.putObject("app-bucket", "one", new byte[1]);
        try (S3Client client = client(issuedProvider())) {
            var page = client.listObjectsV2(l -> l.bucket("app-bucket").maxKeys(0));
            assertThat(page.contents()).isEmpty();
            assertThat(page.keyCount()).isZero();
        }
    }

    @Test
    void listInputsS3RefusesAreInvalidArgument() {
        s3.putObject("app-bucket", "one", new byte[1]);
        try (S3Client client = client(issuedProvider())) {
            assertRefused(() -> client.listObjectsV2(l -> l.bucket("app-bucket").maxKeys(-1)), 400, "InvalidArgument");
            assertRefused(() -> client.listObjectsV2(l -> l.bucket("app-bucket").continuationToken("not*base64")),
                    400, "InvalidArgument");
        }
    }

    @Test
    void aChunkSizeBeyondTheBodyIsIncompleteBody() throws Exception {
        SignedRequest signed = signChunked("hello from the pod", false, "CRC32");
        // the same length (Content-Length is signed): "12\r\nhello " becomes "7fffffff\r\n"
        String body = payload(signed);
        assertThat(body).startsWith("12\r\nhello ");
        HttpResponse<String> r = send(signed, "7fffffff\r\n" + body.substring(10), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("<Code>IncompleteBody</Code>");
        assertThat(last().errorCode()).isEqualTo("IncompleteBody");
    }

    @Test
    void longTermCredentialsWithoutASessionTokenSignWithoutOne() {
        IssuedCredentials longTerm = new IssuedCredentials("AKIALONGTERMKEY00000", "long-term-secret-000000000000000000000000",
                null, clock.instant().plus(Duration.ofDays(365)), "arn:aws:iam::111122223333:user/ci", "111122223333");
        try (S3Emulator own = S3Emulator.builder().region(env.region()).clock(clock)
                .credentials(id -> id.equals(longTerm.accessKeyId()) ? java.util.Optional.of(longTerm) : java.util.Optional.empty())
                .bucket("b").start();
             S3Client client = S3Client.builder().endpointOverride(own.endpoint()).region(Region.of(env.region()))
                     .forcePathStyle(true).httpClient(sdkHttpClient())
                     .credentialsProvider(StaticCredentialsProvider.create(
                             software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(longTerm.accessKeyId(),
                                     longTerm.secretAccessKey())))
                     .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry())).build();
             S3Client withToken = S3Client.builder().endpointOverride(own.endpoint()).region(Region.of(env.region()))
                     .forcePathStyle(true).httpClient(sdkHttpClient())
                     .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
                             longTerm.accessKeyId(), longTerm.secretAccessKey(), "a-token-nobody-issued")))
                     .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry())).build()) {
            client.putObject(p -> p.bucket("b").key("k"), RequestBody.fromString("v"));
            assertThat(own.object("b", "k")).hasValue("v".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> withToken.listBuckets()).isInstanceOfSatisfying(S3Exception.class,
                    e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidToken"));
        }
    }

    @Test
    void anUnexpectedFailureIsInternalErrorAndRecorded() {
        try (S3Emulator own = S3Emulator.builder().region(env.region()).clock(clock).credentials(id -> {
                    throw new IllegalStateException("lookup-broke-42");
                }).start();
             S3Client client = S3Client.builder().endpointOverride(own.endpoint()).region(Region.of(env.region()))
                     .forcePathStyle(true).httpClient(sdkHttpClient()).credentialsProvider(issuedProvider())
                     .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry())).build()) {
            assertThatThrownBy(client::listBuckets).isInstanceOfSatisfying(S3Exception.class, e -> {
                assertThat(e.statusCode()).isEqualTo(500);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InternalError");
                // what failed, not only its class: the test's own lookup said why
                assertThat(e.awsErrorDetails().errorMessage()).contains("IllegalStateException")
                        .contains("lookup-broke-42");
            });
            assertThat(own.requests()).singleElement().satisfies(r -> {
                assertThat(r.status()).isEqualTo(500);
                assertThat(r.errorCode()).isEqualTo("InternalError");
                assertThat(r.message()).contains("IllegalStateException").contains("lookup-broke-42");
            });
        }
    }

    @Test
    void aHeaderSignedRequestWithoutASignedContentSha256IsInvalidRequest() throws Exception {
        // the SDK's generic SigV4 signer (not its S3 one) signs no x-amz-content-sha256, as botocore's SigV4Auth does
        SdkHttpFullRequest request = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET)
                .uri(s3.endpoint().resolve("/")).build();
        @SuppressWarnings("deprecation")
        SdkHttpFullRequest signed = software.amazon.awssdk.auth.signer.Aws4Signer.create().sign(request,
                software.amazon.awssdk.auth.signer.params.Aws4SignerParams.builder()
                        .awsCredentials(AwsSessionCredentials.create(issued.accessKeyId(), issued.secretAccessKey(),
                                issued.sessionToken()))
                        .signingName("s3").signingRegion(Region.of(env.region())).build());
        assertThat(signed.firstMatchingHeader("x-amz-content-sha256")).isEmpty();
        HttpResponse<String> missing = sendAs(signed, null);
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(400);
        assertThat(missing.body()).contains("<Code>InvalidRequest</Code>")
                .contains("Missing required header for this request: x-amz-content-sha256");

        HttpResponse<String> unsigned = sendAs(signed, SigV4Verifier.EMPTY_BODY_SHA256);
        assertThat(unsigned.statusCode()).as(unsigned.body()).isEqualTo(400);
        assertThat(unsigned.body()).contains("<Code>InvalidRequest</Code>")
                .contains("x-amz-content-sha256&apos; must be included in signature");
    }

    @Test
    void listObjectsV2EncodesKeysWhenAsked() {
        s3.putObject("app-bucket", "a\u0001b", new byte[1]);
        s3.putObject("app-bucket", "sp ace/x+y&<z>", new byte[1]);
        try (S3Client client = client(issuedProvider())) {
            // botocore and SDK v1 ask for encoding-type=url by default; SDK v2 2.57 only when told, and decodes the answer
            assertThat(client.listObjectsV2(l -> l.bucket("app-bucket").encodingType(EncodingType.URL)).contents())
                    .extracting(S3Object::key).containsExactly("a\u0001b", "sp ace/x+y&<z>");
            var page = client.listObjectsV2(l -> l.bucket("app-bucket").prefix("sp ace/").startAfter("sp ace/")
                    .encodingType(EncodingType.URL));
            assertThat(page.contents()).extracting(S3Object::key).containsExactly("sp ace/x+y&<z>");
            assertThat(page.prefix()).isEqualTo("sp ace/");
            assertThat(page.startAfter()).isEqualTo("sp ace/");
            // unencoded, a key XML can carry comes back as it is
            assertThat(client.listObjectsV2(l -> l.bucket("app-bucket").prefix("sp")).contents())
                    .extracting(S3Object::key).containsExactly("sp ace/x+y&<z>");
        }
    }

    @Test
    void rangesAndConditionsAreNotImplemented() {
        s3.putObject("app-bucket", "k", "first".getBytes(StandardCharsets.UTF_8));
        try (S3Client client = client(issuedProvider())) {
            assertRefused(() -> client.putObject(p -> p.bucket("app-bucket").key("k").ifNoneMatch("*"),
                    RequestBody.fromString("second")), 501, "NotImplemented");
            // S3 answers one range a GET, not several
            assertRefused(() -> client.getObjectAsBytes(g -> g.bucket("app-bucket").key("k").range("bytes=0-1,3-4")),
                    501, "NotImplemented");
            assertRefused(() -> client.getObjectAsBytes(g -> g.bucket("app-bucket").key("k").ifMatch("\"x\"")),
                    501, "NotImplemented");
            assertRefused(() -> client.headObject(h -> h.bucket("app-bucket").key("k")
                    .ifModifiedSince(java.time.Instant.EPOCH)), 501, null);
        }
        assertThat(s3.object("app-bucket", "k")).hasValue("first".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSingleRangeIsAnsweredAsS3Does() {
        s3.putObject("app-bucket", "k", "0123456789".getBytes(StandardCharsets.UTF_8));
        try (S3Client client = client(issuedProvider())) {
            // what the CRT client and the Transfer Manager send: their first part, from byte 0
            var first = client.getObjectAsBytes(g -> g.bucket("app-bucket").key("k").range("bytes=0-3"));
            assertThat(first.asUtf8String()).isEqualTo("0123");
            assertThat(first.response().contentRange()).isEqualTo("bytes 0-3/10");
            assertThat(first.response().contentLength()).isEqualTo(4L);
            assertThat(first.response().acceptRanges()).isEqualTo("bytes");
            assertThat(last().status()).isEqualTo(206);
            // the last byte is clamped to the object's end
            var open = client.getObjectAsBytes(g -> g.bucket("app-bucket").key("k").range("bytes=7-"));
            assertThat(open.asUtf8String()).isEqualTo("789");
            assertThat(open.response().contentRange()).isEqualTo("bytes 7-9/10");
            assertThat(client.getObjectAsBytes(g -> g.bucket("app-bucket").key("k").range("bytes=8-99")).asUtf8String())
                    .isEqualTo("89");
            var suffix = client.getObjectAsBytes(g -> g.bucket("app-bucket").key("k").range("bytes=-3"));
            assertThat(suffix.asUtf8String()).isEqualTo("789");
            assertThat(suffix.response().contentRange()).isEqualTo("bytes 7-9/10");
            assertThat(client.getObjectAsBytes(g -> g.bucket("app-bucket").key("k").range("bytes=-99")).asUtf8String())
                    .isEqualTo("0123456789");
            // beyond the end: S3's 416 InvalidRange
            assertRefused(() -> client.getObjectAsBytes(g -> g.bucket("app-bucket").key("k").range("bytes=10-")),
                    416, "InvalidRange");
            assertRefused(() -> client.getObjectAsBytes(g -> g.bucket("app-bucket").key("k").range("bytes=-0")),
                    416, "InvalidRange");
            // a Range S3 cannot parse is ignored (RFC 9110 14.2), the whole object answered
            for (String invalid : List.of("bytes=abc", "bytes=5-2", "items=0-1", "bytes=")) {
                var whole = client.getObjectAsBytes(g -> g.bucket("app-bucket").key("k").range(invalid));
                assertThat(whole.asUtf8String()).as(invalid).isEqualTo("0123456789");
                assertThat(whole.response().contentRange()).as(invalid).isNull();
                assertThat(last().status()).as(invalid).isEqualTo(200);
            }
            var head = client.headObject(h -> h.bucket("app-bucket").key("k").range("bytes=2-5"));
            assertThat(head.contentLength()).isEqualTo(4L);
            assertThat(head.contentRange()).isEqualTo("bytes 2-5/10");
        }
    }

    @Test
    void anAsiaKeyWithoutItsSessionTokenIsInvalidAccessKeyId() {
        // what S3 answers when temporary credentials are sent without x-amz-security-token (see docs/testing.md)
        var noToken = StaticCredentialsProvider.create(software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                issued.accessKeyId(), issued.secretAccessKey()));
        try (S3Client client = client(noToken)) {
            assertRefused(() -> client.listBuckets(), 403, "InvalidAccessKeyId");
        }
    }

    /** Sends a signed request as it is, with {@code contentSha256} added unsigned when not null. */
    private HttpResponse<String> sendAs(SdkHttpFullRequest signed, String contentSha256) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(signed.getUri()).method(signed.method().name(),
                HttpRequest.BodyPublishers.noBody());
        signed.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                b.header(name, values.get(0));
            }
        });
        if (contentSha256 != null) {
            b.header("x-amz-content-sha256", contentSha256);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void assertRefused(Runnable call, int status, String code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.statusCode()).isEqualTo(status);
            if (code != null) { // a HEAD answer has no body to carry the code
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
            }
        });
        if (code != null) {
            assertThat(last().errorCode()).isEqualTo(code);
            // an authentication refusal, or an operation's refusal after the signature was accepted
            assertThat(last().authenticated()).isEqualTo(!S3Emulator.AUTH_ERRORS.contains(code));
        }
        assertThat(last().status()).isEqualTo(status);
    }

    /** Signs {@code body} with the SDK's SigV4 signer as S3 is signed, over its hash or over UNSIGNED-PAYLOAD. */
    private SignedRequest sign(String method, String path, String body, boolean payloadSigning, String... headers) {
        // over http the SDK's signer signs the payload whatever it is told; over https it honours the setting, so
        // the request is signed for https and sent over http (the same host header either way)
        URI uri = s3.endpoint().resolve(path);
        SdkHttpFullRequest request = SdkHttpFullRequest.builder().method(SdkHttpMethod.fromValue(method))
                .uri(payloadSigning ? uri : URI.create(uri.toString().replaceFirst("^http:", "https:")))
                .applyMutation(b -> {
                    for (int i = 0; i < headers.length; i += 2) {
                        b.putHeader(headers[i], headers[i + 1]);
                    }
                }).build();
        return AwsV4HttpSigner.create().sign(r -> r.request(request)
                .payload(ContentStreamProvider.fromUtf8String(body))
                .identity(AwsSessionCredentials.create(issued.accessKeyId(), issued.secretAccessKey(), issued.sessionToken()))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, env.region())
                .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, payloadSigning));
    }

    /** An aws-chunked PUT as the SDK's signer makes it: signed chunks or not, with a trailing checksum or not. */
    private SignedRequest signChunked(String body, boolean payloadSigning, String checksum) {
        URI uri = s3.endpoint().resolve("/app-bucket/chunked");
        SdkHttpFullRequest request = SdkHttpFullRequest.builder().method(SdkHttpMethod.PUT)
                .uri(payloadSigning ? uri : URI.create(uri.toString().replaceFirst("^http:", "https:")))
                .putHeader("Content-Length", String.valueOf(body.length())).build();
        return AwsV4HttpSigner.create().sign(r -> {
            r.request(request).payload(ContentStreamProvider.fromUtf8String(body))
                    .identity(AwsSessionCredentials.create(issued.accessKeyId(), issued.secretAccessKey(), issued.sessionToken()))
                    .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, env.region())
                    .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                    .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
                    .putProperty(AwsV4FamilyHttpSigner.CHUNK_ENCODING_ENABLED, true)
                    .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, payloadSigning);
            if (checksum != null) {
                r.putProperty(AwsV4FamilyHttpSigner.CHECKSUM_ALGORITHM,
                        checksum.equals("CRC32") ? DefaultChecksumAlgorithm.CRC32 : DefaultChecksumAlgorithm.CRC32C);
            }
        });
    }

    private static String payload(SignedRequest signed) throws IOException {
        try (InputStream in = signed.payload().orElseThrow().newStream()) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private HttpResponse<String> send(SignedRequest signed, String body) throws Exception {
        return send(signed, body, null);
    }

    /** Sends the signed request's headers with {@code body}, and {@code contentSha256} instead of the signed one. */
    private HttpResponse<String> send(SignedRequest signed, String body, String contentSha256) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(signed.request().getUri().toString().replaceFirst("^https:", "http:")))
                .method(signed.request().method().name(), HttpRequest.BodyPublishers.ofByteArray(
                        body.getBytes(StandardCharsets.ISO_8859_1)));
        signed.request().headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                String value = name.equalsIgnoreCase("x-amz-content-sha256") && contentSha256 != null ? contentSha256 : values.get(0);
                b.header(name, value);
            }
        });
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The SDK's Apache 5 client, found as the SDK finds its HTTP clients: the s3 module brings it from SDK 2.32 on, and
     * the build also compiles these tests on older SDKs (Spring Boot 3.5's), where the test is skipped.
     */
    private static SdkHttpClient apache5HttpClient() {
        Optional<SdkHttpService> apache5 = ServiceLoader.load(SdkHttpService.class).stream()
                .filter(p -> p.type().getName().startsWith("software.amazon.awssdk.http.apache5."))
                .map(ServiceLoader.Provider::get).findFirst();
        org.junit.jupiter.api.Assumptions.assumeTrue(apache5.isPresent(),
                "the SDK's Apache 5 HTTP client is not on the class path (an SDK older than 2.32)");
        return apache5.get().createHttpClientBuilder().build();
    }

    /** The SDK's HTTP client found on the class path, as the SDK finds its default. */
    private static SdkHttpClient sdkHttpClient() {
        return ServiceLoader.load(SdkHttpService.class).findFirst().orElseThrow().createHttpClientBuilder().build();
    }

    /** An HTTP client that changes the body on the wire, after the SDK signed it (as a proxy could). */
    private static SdkHttpClient tamperingClient(UnaryOperator<String> change) {
        SdkHttpClient real = sdkHttpClient();
        return new SdkHttpClient() {
            @Override
            public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
                ContentStreamProvider original = request.contentStreamProvider().orElse(null);
                if (original == null) {
                    return real.prepareRequest(request);
                }
                byte[] changed;
                try (InputStream in = original.newStream()) {
                    changed = change.apply(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1))
                            .getBytes(StandardCharsets.ISO_8859_1);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return real.prepareRequest(HttpExecuteRequest.builder().request(request.httpRequest())
                        .contentStreamProvider(() -> new ByteArrayInputStream(changed))
                        .metricCollector(request.metricCollector().orElse(null)).build());
            }

            @Override
            public void close() {
                real.close();
            }
        };
    }
}
