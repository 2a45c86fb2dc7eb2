package dev.irsa.testkit.s3;

import com.sun.net.httpserver.HttpExchange;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.IssuedCredentials;
import dev.irsa.testkit.PodIdentityEnvironment;
import dev.irsa.testkit.StsEmulator;
import dev.irsa.testkit.internal.LoopbackHttpServer;
import dev.irsa.testkit.internal.SigV4Verifier;
import dev.irsa.testkit.internal.Xml;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * A small S3 on a loopback port that accepts only requests signed with credentials an {@link StsEmulator} issued, and
 * refuses the others as S3 does (its REST XML error bodies and status codes). For testing that an application's S3
 * client signs with the session's credentials, and that a request signed otherwise fails.
 *
 * <p>Authentication, in S3's order:
 * <ul>
 *   <li>no signature: 403 {@code AccessDenied}; a malformed {@code Authorization} header, a scope date that is not the
 *       signing date, an algorithm other than {@code AWS4-HMAC-SHA256}: 400 {@code AuthorizationHeaderMalformed}
 *       ({@code AuthorizationQueryParametersError} for a presigned URL);</li>
 *   <li>an access key the STS emulator did not issue (or no longer tracks, an hour after expiry): 403
 *       {@code InvalidAccessKeyId}, as is an issued key sent without its session token; another session token:
 *       400 {@code InvalidToken}; credentials past their expiry: 400 {@code ExpiredToken};</li>
 *   <li>a header-signed request more than 15 minutes from the emulator's clock: 403 {@code RequestTimeTooSkewed}; a
 *       presigned URL past {@code X-Amz-Expires}: 403 {@code AccessDenied};</li>
 *   <li>scoped to another region or service: 400 {@code AuthorizationHeaderMalformed};</li>
 *   <li>a header-signed request without {@code x-amz-content-sha256}, or that does not sign it: 400
 *       {@code InvalidRequest} (a presigned URL needs none);</li>
 *   <li>{@code x-amz-content-sha256} not the SHA-256 of the body: 400 {@code XAmzContentSHA256Mismatch};
 *       a signature that does not verify (by the SigV4 specification, with the issued secret): 403
 *       {@code SignatureDoesNotMatch}.</li>
 * </ul>
 * Payloads: a hex {@code x-amz-content-sha256} must match the body; {@code UNSIGNED-PAYLOAD} is accepted, as S3
 * does. {@code aws-chunked} bodies ({@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD}, {@code ...-PAYLOAD-TRAILER},
 * {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}) are decoded; each chunk signature and the trailer signature are
 * verified against the chain seeded by the request's signature (403 {@code SignatureDoesNotMatch}); a body whose
 * decoded length is not {@code x-amz-decoded-content-length}, or that is not well-formed, is 400
 * {@code IncompleteBody}. A {@code Content-MD5} or {@code x-amz-checksum-crc32 / crc32c / sha1 / sha256} value, in a
 * header or a trailer, must match the decoded object (400 {@code BadDigest}). Not verified: {@code
 * x-amz-checksum-crc64nvme} (the JDK has no CRC-64/NVME; the value is accepted as sent), SigV4a
 * ({@code AWS4-ECDSA-P256-SHA256} is refused as malformed, not verified), event-stream payloads.
 *
 * <p>Operations, path-style addressing only ({@code http://127.0.0.1:port/bucket/key}; a client must use path-style
 * access, which the SDK does by itself for an IP-address endpoint): {@code ListBuckets}, {@code CreateBucket},
 * {@code HeadBucket}, {@code DeleteBucket} (empty buckets), {@code PutObject}, {@code GetObject}, {@code HeadObject},
 * {@code DeleteObject}, {@code ListObjectsV2} ({@code prefix}, {@code max-keys}, {@code continuation-token},
 * {@code start-after}, {@code encoding-type=url}; no {@code delimiter}). Keys are signed as S3 checks them, from the
 * decoded path ({@code a//b} sent as {@code a/%2Fb} verifies). {@code GetObject} and {@code HeadObject} answer one
 * {@code Range} as S3 does ({@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}: 206 with {@code Content-Range}
 * and the part's {@code Content-Length}; 416 {@code InvalidRange} when it starts past the end; a {@code Range} S3
 * cannot parse is ignored, the whole object answered), as the CRT client and the Transfer Manager ask. Anything else
 * is 501 {@code NotImplemented}, after authentication, and so is a {@code Range} with several ranges and an
 * {@code If-Match}, {@code If-None-Match}, {@code If-Modified-Since} or {@code If-Unmodified-Since} header: no
 * versions, ACLs, multipart uploads or conditional requests. An unexpected failure is 500 {@code InternalError} with
 * the exception's class and message (this class puts no secret in one), recorded like every answer.
 *
 * <p>Every request is recorded ({@link #requests()}) with its operation, bucket, key, access key ID and outcome;
 * nothing records or logs a secret, session token or signature. Served by named daemon threads that {@link #close()}
 * stops. Thread-safe.
 *
 * <pre>{@code
 * try (S3Emulator s3 = S3Emulator.builder().sts(env.sts()).bucket("app-bucket").start()) {
 *     S3Client client = S3Client.builder().endpointOverride(s3.endpoint()) ... ;
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public final class S3Emulator implements AutoCloseable {
    static final Set<String> AUTH_ERRORS = Set.of("AccessDenied", "AuthorizationHeaderMalformed",
            "AuthorizationQueryParametersError", "InvalidAccessKeyId", "InvalidToken", "ExpiredToken",
            "RequestTimeTooSkewed", "SignatureDoesNotMatch", "XAmzContentSHA256Mismatch", "IncompleteBody", "BadDigest",
            "InvalidRequest");
    private static final String S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final String RECORD = "dev.irsa.testkit.s3.record";
    private static final String EMPTY_SHA256 = SigV4Verifier.EMPTY_BODY_SHA256;
    private static final List<String> UNSUPPORTED_HEADERS = List.of("If-Match", "If-None-Match",
            "If-Modified-Since", "If-Unmodified-Since");
    /** One byte range as S3 reads it: {@code bytes=first-last}, {@code bytes=first-} or {@code bytes=-suffix}. */
    private static final java.util.regex.Pattern BYTE_RANGE = java.util.regex.Pattern.compile(
            "bytes=(?:(\\d+)-(\\d*)|-(\\d+))");

    private final Function<String, Optional<IssuedCredentials>> credentials;
    private final String region;
    private final Clock clock;
    private final LoopbackHttpServer.Bound http;
    private final URI endpoint;
    private final Map<String, Bucket> buckets = new ConcurrentSkipListMap<>();
    private final List<S3Request> requests = new CopyOnWriteArrayList<>();
    // PutObject stores under the read lock, DeleteBucket checks emptiness and removes under the write lock: a put
    // answered 200 never lands in a bucket removed meanwhile
    private final ReadWriteLock storeLock = new ReentrantReadWriteLock();

    private record Bucket(Instant created, ConcurrentSkipListMap<String, StoredObject> objects) {}

    private record StoredObject(byte[] content, String contentType, String etag, Instant lastModified) {}

    /** Records an answer as it is sent. */
    private interface Recorder {
        void record(int status, String errorCode, String message);
    }

    /** Thrown inside request handling: an S3 error to answer. */
    private static final class S3Error extends Exception {
        final int status;
        final String code;

        S3Error(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    private S3Emulator(Builder b) {
        this.credentials = Objects.requireNonNull(b.credentials, "credentials (builder.sts(...) or credentials(...))");
        this.region = Objects.requireNonNull(b.region, "region");
        this.clock = b.clock;
        b.buckets.forEach(this::createBucket);
        this.http = LoopbackHttpServer.bind(b.port, "irsa-testkit-s3");
        http.server().createContext("/", this::handle);
        http.start();
        this.endpoint = URI.create("http://" + http.server().getAddress().getAddress().getHostAddress() + ":" + http.port());
    }

    /**
     * An S3 emulator that accepts the credentials {@code env}'s STS emulator issued.
     *
     * @param env a running IRSA environment
     * @return a started emulator
     */
    public static S3Emulator start(IrsaEnvironment env) {
        return builder().sts(env.sts()).start();
    }

    /**
     * An S3 emulator that accepts the credentials {@code env}'s Pod Identity agent handed out (issued by its STS
     * emulator).
     *
     * @param env a running Pod Identity environment
     * @return a started emulator
     */
    public static S3Emulator start(PodIdentityEnvironment env) {
        return builder().sts(env.sts()).start();
    }

    /** {@return a builder} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the endpoint to give an S3 client as its endpoint override: {@code http://127.0.0.1:<port>}} */
    public URI endpoint() {
        return endpoint;
    }

    /** {@return the region signatures must be scoped to} */
    public String region() {
        return region;
    }

    /**
     * Creates a bucket, as a test's set-up (not recorded as a request); an existing one is kept.
     *
     * @param name the bucket's name
     */
    public void createBucket(String name) {
        buckets.putIfAbsent(name, new Bucket(clock.instant(), new ConcurrentSkipListMap<>()));
    }

    /**
     * Stores an object, as a test's set-up; creates the bucket if needed.
     *
     * @param bucket the bucket
     * @param key the key
     * @param content the bytes
     */
    public void putObject(String bucket, String key, byte[] content) {
        storeLock.readLock().lock();
        try {
            createBucket(bucket);
            buckets.get(bucket).objects().put(key, stored(content.clone(), "binary/octet-stream"));
        } finally {
            storeLock.readLock().unlock();
        }
    }

    /**
     * The bytes stored under {@code key}, as a test's check.
     *
     * @param bucket the bucket
     * @param key the key
     * @return a copy of the bytes, or empty when there is no such object
     */
    public Optional<byte[]> object(String bucket, String key) {
        Bucket b = buckets.get(bucket);
        StoredObject o = b == null ? null : b.objects().get(key);
        return o == null ? Optional.empty() : Optional.of(o.content().clone());
    }

    /** {@return the buckets' names, sorted} */
    public List<String> buckets() {
        return List.copyOf(buckets.keySet());
    }

    /** {@return every request answered so far, oldest first} */
    public List<S3Request> requests() {
        return List.copyOf(requests);
    }

    /** {@return the access key IDs that signed the requests answered so far, oldest first (null for unsigned ones)} */
    public List<String> accessKeyIds() {
        return requests.stream().map(S3Request::accessKeyId).toList();
    }

    /** Forgets the requests recorded so far. */
    public void clearRequests() {
        requests.clear();
    }

    /** Stops serving and releases its threads. */
    @Override
    public void close() {
        http.stop();
    }

    @Override
    public String toString() {
        return "S3Emulator[" + endpoint + ", region=" + region + ", " + requests.size() + " requests]";
    }

    // ---- request handling

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            Instant now = clock.instant();
            byte[] body = x.getRequestBody().readAllBytes();
            String rawPath = x.getRequestURI().getRawPath();
            String rawQuery = x.getRequestURI().getRawQuery();
            String path = x.getRequestURI().getPath();
            String[] parts = path.length() <= 1 ? new String[0] : path.substring(1).split("/", 2);
            String bucket = parts.length > 0 && !parts[0].isEmpty() ? parts[0] : null;
            String key = parts.length > 1 && !parts[1].isEmpty() ? parts[1] : null;
            Map<String, String> query = query(rawQuery);
            String method = x.getRequestMethod();
            String operation = operation(method, bucket, key, query);
            String[] akid = new String[1];
            String payload = x.getRequestHeaders().getFirst("x-amz-content-sha256");
            // recorded just before the status is sent, so a client that has its answer finds it recorded
            x.setAttribute(RECORD, (Recorder) (status, code, message) ->
                    requests.add(new S3Request(now, operation, bucket, key, akid[0], payload, status, code, message)));
            try {
                byte[] content = authenticate(new SigV4Verifier.Request(method, rawPath, rawQuery,
                        x.getRequestHeaders(), body), now, akid);
                serve(x, operation, bucket, key, query, content);
            } catch (S3Error e) {
                error(x, method, e, rawPath);
            } catch (RuntimeException e) {
                // a defect here or in a test's credentials lookup: answered and recorded, not a dropped connection,
                // with the exception's message to say what failed (this class puts no secret, token or signature in
                // an exception's message; a test's own lookup says what it chooses)
                error(x, method, new S3Error(500, "InternalError", "We encountered an internal error: " + e
                        + ". Please try again."), rawPath);
            }
        }
    }

    private static String operation(String method, String bucket, String key, Map<String, String> query) {
        if (bucket == null) {
            return method.equals("GET") ? "ListBuckets" : "Unknown";
        }
        if (key == null) {
            return switch (method) {
                case "PUT" -> query.isEmpty() ? "CreateBucket" : "Unknown";
                case "HEAD" -> "HeadBucket";
                case "DELETE" -> query.isEmpty() ? "DeleteBucket" : "Unknown";
                case "GET" -> "2".equals(query.get("list-type")) ? "ListObjectsV2" : "Unknown";
                default -> "Unknown";
            };
        }
        boolean plain = query.keySet().stream().allMatch(q -> q.startsWith("X-Amz-") || q.equals("x-id"));
        return !plain ? "Unknown" : switch (method) {
            case "PUT" -> "PutObject";
            case "GET" -> "GetObject";
            case "HEAD" -> "HeadObject";
            case "DELETE" -> "DeleteObject";
            default -> "Unknown";
        };
    }

    /** Checks the request's signature as S3 does; returns the object's bytes (aws-chunked bodies decoded). */
    private byte[] authenticate(SigV4Verifier.Request req, Instant now, String[] akid) throws S3Error {
        Map<String, IssuedCredentials> seen = new ConcurrentHashMap<>();
        SigV4Verifier.Result r = SigV4Verifier.verify(req, id -> credentials.apply(id).map(c -> {
            seen.put(id, c);
            return c.secretAccessKey();
        }).orElse(null), now);
        akid[0] = r.accessKeyId();
        String malformed = r.presigned() ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed";
        if (r.failure() != null) {
            switch (r.failure()) {
                case MISSING_AUTHENTICATION -> throw new S3Error(403, "AccessDenied", "Access Denied");
                case UNSUPPORTED_ALGORITHM, INCOMPLETE_SIGNATURE, SCOPE_DATE_MISMATCH ->
                        throw new S3Error(400, malformed, "The authorization is malformed: " + r.message());
                case UNKNOWN_ACCESS_KEY -> throw new S3Error(403, "InvalidAccessKeyId",
                        "The AWS Access Key Id you provided does not exist in our records.");
                default -> {
                    // the credential checks below come first, as in S3
                }
            }
        }
        IssuedCredentials c = seen.get(r.accessKeyId());
        if (c.sessionToken() != null && r.securityToken() == null) {
            // S3 does not know a temporary key without its session token (ex_aws#37, minio-dart#3, kiam#261)
            throw new S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our"
                    + " records.");
        }
        if (r.securityToken() != null && (c.sessionToken() == null || !MessageDigest.isEqual(
                r.securityToken().getBytes(StandardCharsets.UTF_8), c.sessionToken().getBytes(StandardCharsets.UTF_8)))) {
            throw new S3Error(400, "InvalidToken", "The provided token is malformed or otherwise invalid.");
        }
        if (!now.isBefore(c.expiration())) {
            throw new S3Error(400, "ExpiredToken", "The provided token has expired.");
        }
        if (r.failure() == SigV4Verifier.Failure.EXPIRED || r.failure() == SigV4Verifier.Failure.NOT_YET_VALID) {
            if (r.presigned()) {
                throw new S3Error(403, "AccessDenied", r.failure() == SigV4Verifier.Failure.EXPIRED
                        ? "Request has expired" : "Request is not valid yet");
            }
            throw new S3Error(403, "RequestTimeTooSkewed",
                    "The difference between the request time and the current time is too large.");
        }
        if (!region.equals(r.region()) || !"s3".equals(r.service())) {
            throw new S3Error(400, malformed, "The authorization header is malformed; the region '" + r.region()
                    + "' or service '" + r.service() + "' is wrong; expecting '" + region + "' and 's3'");
        }
        String declared = req.header("x-amz-content-sha256").isEmpty() ? null : req.header("x-amz-content-sha256").get(0).trim();
        // S3 alone requires the payload hash header, signed, on a header-signed request (not on a presigned URL)
        if (!r.presigned() && declared == null) {
            throw new S3Error(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
        }
        if (!r.presigned() && !r.signedHeaders().contains("x-amz-content-sha256")) {
            throw new S3Error(400, "InvalidRequest", "header 'x-amz-content-sha256' must be included in signature");
        }
        if (!r.presigned() && declared != null && !declared.equals(SigV4Verifier.UNSIGNED_PAYLOAD)
                && !declared.startsWith("STREAMING-") && !declared.equalsIgnoreCase(SigV4Verifier.sha256Hex(req.body()))) {
            throw new S3Error(400, "XAmzContentSHA256Mismatch",
                    "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }
        if (r.failure() != null) {
            throw new S3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the"
                    + " signature you provided. Check your key and signing method.");
        }
        byte[] content = req.body();
        Map<String, String> trailers = Map.of();
        if (declared != null && declared.startsWith("STREAMING-")) {
            Chunked decoded = decodeChunked(req, r, c, declared);
            content = decoded.content();
            trailers = decoded.trailers();
        }
        checkDigests(req, trailers, content);
        return content;
    }

    private record Chunked(byte[] content, Map<String, String> trailers) {}

    /**
     * Decodes an aws-chunked body, verifying the chain of chunk signatures (and the trailer's) that starts at the
     * request's own signature.
     */
    private Chunked decodeChunked(SigV4Verifier.Request req, SigV4Verifier.Result r, IssuedCredentials c, String declared)
            throws S3Error {
        boolean signed = switch (declared) {
            case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" -> true;
            case "STREAMING-UNSIGNED-PAYLOAD-TRAILER" -> false;
            default -> throw new S3Error(400, "InvalidArgument", "Unsupported x-amz-content-sha256: " + declared);
        };
        boolean trailer = declared.endsWith("-TRAILER");
        String amzDate = AMZ_DATE.format(r.signedAt());
        String scope = r.scopeDate() + "/" + r.region() + "/" + r.service() + "/aws4_request";
        byte[] key = signed ? SigV4Verifier.signingKey(c.secretAccessKey(), r.scopeDate(), r.region(), r.service()) : null;
        String previous = signed ? seedSignature(req) : null;
        byte[] body = req.body();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (true) {
            int eol = crlf(body, i);
            String header = new String(body, i, eol - i, StandardCharsets.US_ASCII);
            String[] h = header.split(";", 2);
            int size;
            try {
                size = Integer.parseInt(h[0].trim(), 16);
            } catch (NumberFormatException e) {
                throw incomplete("a chunk header is not '<hex size>[;chunk-signature=...]'");
            }
            if (size < 0 || (long) eol + 2 + size > body.length) {
                throw incomplete("a chunk is longer than the body");
            }
            byte[] data = java.util.Arrays.copyOfRange(body, eol + 2, eol + 2 + size);
            if (signed) {
                String given = h.length > 1 && h[1].trim().startsWith("chunk-signature=")
                        ? h[1].trim().substring("chunk-signature=".length()) : null;
                if (given == null) {
                    throw incomplete("a chunk has no chunk-signature");
                }
                String expected = SigV4Verifier.hmacHex(key, "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope
                        + "\n" + previous + "\n" + EMPTY_SHA256 + "\n" + SigV4Verifier.sha256Hex(data));
                if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                        given.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
                    throw new S3Error(403, "SignatureDoesNotMatch", "The chunk signature we calculated does not match"
                            + " the one you provided.");
                }
                previous = expected;
            }
            out.writeBytes(data);
            i = eol + 2 + size;
            if (size == 0) {
                break;
            }
            if (crlf(body, i) != i) {
                throw incomplete("a chunk's data is not followed by CRLF");
            }
            i += 2;
        }
        Map<String, String> trailers = new LinkedHashMap<>();
        StringBuilder canonicalTrailers = new StringBuilder();
        String trailerSignature = null;
        while (i < body.length) {
            int eol = crlf(body, i);
            String line = new String(body, i, eol - i, StandardCharsets.US_ASCII);
            i = eol + 2;
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 1) {
                throw incomplete("a trailer is not 'name:value'");
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (name.equals("x-amz-trailer-signature")) {
                trailerSignature = value;
            } else {
                trailers.put(name, value);
                canonicalTrailers.append(name).append(':').append(value).append('\n');
            }
        }
        if (!trailer && !trailers.isEmpty()) {
            throw incomplete("trailers sent with " + declared);
        }
        List<String> announced = req.header("x-amz-trailer");
        for (String t : announced) {
            for (String name : t.split(",")) {
                if (!trailers.containsKey(name.trim().toLowerCase(Locale.ROOT))) {
                    throw incomplete("the trailer " + name.trim() + " announced in x-amz-trailer is missing");
                }
            }
        }
        if (signed && trailer) {
            String expected = SigV4Verifier.hmacHex(key, "AWS4-HMAC-SHA256-TRAILER\n" + amzDate + "\n" + scope + "\n"
                    + previous + "\n" + SigV4Verifier.sha256Hex(canonicalTrailers.toString().getBytes(StandardCharsets.UTF_8)));
            if (trailerSignature == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                    trailerSignature.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
                throw new S3Error(403, "SignatureDoesNotMatch", "The trailer signature we calculated does not match"
                        + " the one you provided.");
            }
        }
        byte[] content = out.toByteArray();
        List<String> decodedLength = req.header("x-amz-decoded-content-length");
        if (!decodedLength.isEmpty() && !decodedLength.get(0).trim().equals(String.valueOf(content.length))) {
            throw incomplete("the decoded body has " + content.length + " bytes, x-amz-decoded-content-length says "
                    + decodedLength.get(0).trim());
        }
        return new Chunked(content, trailers);
    }

    private static String seedSignature(SigV4Verifier.Request req) throws S3Error {
        String auth = req.header("authorization").isEmpty() ? "" : req.header("authorization").get(0);
        int at = auth.indexOf("Signature=");
        if (at < 0) {
            throw new S3Error(400, "AuthorizationHeaderMalformed", "A streaming payload must be header-signed.");
        }
        String s = auth.substring(at + "Signature=".length());
        int end = s.indexOf(',');
        return (end < 0 ? s : s.substring(0, end)).trim().toLowerCase(Locale.ROOT);
    }

    private static S3Error incomplete(String why) {
        return new S3Error(400, "IncompleteBody", "The request body is not a valid aws-chunked body: " + why + ".");
    }

    private static int crlf(byte[] b, int from) throws S3Error {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        throw incomplete("a line is not ended by CRLF");
    }

    /** Content-MD5 and the flexible checksums S3 checks, from headers or trailers, against the decoded object. */
    private static void checkDigests(SigV4Verifier.Request req, Map<String, String> trailers, byte[] content) throws S3Error {
        Map<String, String> given = new TreeMap<>(trailers);
        for (String name : List.of("content-md5", "x-amz-checksum-crc32", "x-amz-checksum-crc32c",
                "x-amz-checksum-sha1", "x-amz-checksum-sha256")) {
            if (!req.header(name).isEmpty()) {
                given.put(name, req.header(name).get(0).trim());
            }
        }
        for (Map.Entry<String, String> e : given.entrySet()) {
            byte[] expected = switch (e.getKey()) {
                case "content-md5" -> digest("MD5", content);
                case "x-amz-checksum-crc32" -> crc(new CRC32(), content);
                case "x-amz-checksum-crc32c" -> crc(new CRC32C(), content);
                case "x-amz-checksum-sha1" -> digest("SHA-1", content);
                case "x-amz-checksum-sha256" -> digest("SHA-256", content);
                default -> null; // crc64nvme and others: not verified (see the class's Javadoc)
            };
            if (expected != null && !Base64.getEncoder().encodeToString(expected).equals(e.getValue())) {
                throw new S3Error(400, "BadDigest", "The " + e.getKey() + " you specified did not match the calculated"
                        + " checksum.");
            }
        }
    }

    private static byte[] crc(Checksum crc, byte[] content) {
        crc.update(content, 0, content.length);
        return ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
    }

    private static byte[] digest(String algorithm, byte[] content) {
        try {
            return MessageDigest.getInstance(algorithm).digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required of every Java platform", e);
        }
    }

    private void serve(HttpExchange x, String operation, String bucket, String key, Map<String, String> query,
            byte[] content) throws IOException, S3Error {
        for (String h : UNSUPPORTED_HEADERS) {
            if (x.getRequestHeaders().containsKey(h)) {
                // answering as if the header were absent would overwrite or return what S3 would not
                throw new S3Error(501, "NotImplemented", "The " + h + " header is not implemented by this emulator.");
            }
        }
        switch (operation) {
            case "ListBuckets" -> {
                Xml xml = new Xml().open("ListAllMyBucketsResult xmlns=\"" + S3_NAMESPACE + "\"")
                        .open("Owner").element("ID", "irsa-testkit").close("Owner").open("Buckets");
                buckets.forEach((name, b) -> xml.open("Bucket").element("Name", name)
                        .element("CreationDate", ISO_MILLIS.format(b.created())).close("Bucket"));
                xml.close("Buckets").close("ListAllMyBucketsResult");
                send(x, 200, "application/xml", xml.toString().getBytes(StandardCharsets.UTF_8), false);
            }
            case "CreateBucket" -> {
                if (buckets.putIfAbsent(bucket, new Bucket(clock.instant(), new ConcurrentSkipListMap<>())) != null) {
                    throw new S3Error(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named"
                            + " bucket succeeded and you already own it.");
                }
                x.getResponseHeaders().add("Location", "/" + bucket);
                send(x, 200, null, new byte[0], false);
            }
            case "HeadBucket" -> {
                bucket(bucket);
                send(x, 200, null, new byte[0], true);
            }
            case "DeleteBucket" -> {
                storeLock.writeLock().lock();
                try {
                    if (!bucket(bucket).objects().isEmpty()) {
                        throw new S3Error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty");
                    }
                    buckets.remove(bucket);
                } finally {
                    storeLock.writeLock().unlock();
                }
                send(x, 204, null, null, false);
            }
            case "PutObject" -> {
                if (!x.getRequestHeaders().getOrDefault("x-amz-copy-source", List.of()).isEmpty()) {
                    throw new S3Error(501, "NotImplemented", "CopyObject is not implemented by this emulator.");
                }
                String type = x.getRequestHeaders().getFirst("Content-Type");
                StoredObject o = stored(content, type == null ? "binary/octet-stream" : type);
                storeLock.readLock().lock();
                try {
                    bucket(bucket).objects().put(key, o);
                } finally {
                    storeLock.readLock().unlock();
                }
                x.getResponseHeaders().add("ETag", o.etag());
                send(x, 200, null, new byte[0], false);
            }
            case "GetObject", "HeadObject" -> {
                StoredObject o = bucket(bucket).objects().get(key);
                if (o == null) {
                    throw new S3Error(404, "NoSuchKey", "The specified key does not exist.");
                }
                long[] range = range(x.getRequestHeaders().getFirst("Range"), o.content().length);
                x.getResponseHeaders().add("ETag", o.etag());
                x.getResponseHeaders().add("Last-Modified", DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        o.lastModified().atOffset(ZoneOffset.UTC)));
                x.getResponseHeaders().add("Accept-Ranges", "bytes");
                if (range == null) {
                    send(x, 200, o.contentType(), o.content(), operation.equals("HeadObject"));
                } else {
                    x.getResponseHeaders().add("Content-Range", "bytes " + range[0] + "-" + range[1] + "/"
                            + o.content().length);
                    send(x, 206, o.contentType(), java.util.Arrays.copyOfRange(o.content(), (int) range[0],
                            (int) range[1] + 1), operation.equals("HeadObject"));
                }
            }
            case "DeleteObject" -> {
                bucket(bucket).objects().remove(key);
                send(x, 204, null, null, false);
            }
            case "ListObjectsV2" -> send(x, 200, "application/xml", listObjects(bucket, query), false);
            default -> throw new S3Error(501, "NotImplemented", "A header or query you provided implies"
                    + " functionality that is not implemented by this emulator.");
        }
    }

    /**
     * The first and last byte a {@code Range} header asks of an object of {@code length} bytes, or null for the whole
     * object: no header, or one S3 cannot parse, which it ignores (RFC 9110, 14.2). Several ranges are 501, as S3
     * answers one range a GET; a range that starts past the end, or an empty suffix, is S3's 416 {@code InvalidRange}.
     */
    private static long[] range(String header, long length) throws S3Error {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (h.startsWith("bytes=") && h.contains(",")) {
            throw new S3Error(501, "NotImplemented", "A Range header with several ranges is not implemented by this"
                    + " emulator (S3 answers one range a GET).");
        }
        java.util.regex.Matcher m = BYTE_RANGE.matcher(h);
        if (!m.matches()) {
            return null;
        }
        long first;
        long last;
        if (m.group(3) != null) {
            long suffix = number(m.group(3));
            first = Math.max(0, length - suffix);
            last = suffix == 0 ? -1 : length - 1;
        } else {
            first = number(m.group(1));
            last = m.group(2).isEmpty() ? length - 1 : Math.min(number(m.group(2)), length - 1);
            if (!m.group(2).isEmpty() && number(m.group(2)) < first) {
                return null; // last before first: not a valid range, ignored as S3 does
            }
        }
        if (first >= length || last < first) {
            throw new S3Error(416, "InvalidRange", "The requested range is not satisfiable");
        }
        return new long[] {first, last};
    }

    private static long number(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // more digits than a long holds: past any object's end
        }
    }

    private byte[] listObjects(String name, Map<String, String> query) throws S3Error {
        Bucket b = bucket(name);
        String prefix = query.getOrDefault("prefix", "");
        int max;
        try {
            max = Integer.parseInt(query.getOrDefault("max-keys", "1000"));
        } catch (NumberFormatException e) {
            max = -1;
        }
        if (max < 0) {
            throw new S3Error(400, "InvalidArgument", "Provided max-keys not an integer or within integer range");
        }
        if (query.containsKey("delimiter")) {
            throw new S3Error(501, "NotImplemented", "ListObjectsV2 with a delimiter is not implemented by this emulator.");
        }
        String encoding = query.get("encoding-type");
        if (encoding != null && !encoding.equals("url")) {
            throw new S3Error(400, "InvalidArgument", "Invalid Encoding Method specified in Request");
        }
        // with encoding-type=url S3 sends keys, prefix and start-after URL-encoded: a key may hold characters XML
        // cannot carry
        Function<String, String> out = encoding == null ? v -> v : v -> SigV4Verifier.uriEncode(v, false);
        String token = query.get("continuation-token");
        String after;
        try {
            after = token != null ? new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8)
                    : query.getOrDefault("start-after", "");
        } catch (IllegalArgumentException e) {
            throw new S3Error(400, "InvalidArgument", "The continuation token provided is incorrect");
        }
        List<Map.Entry<String, StoredObject>> page = new ArrayList<>();
        boolean truncated = false;
        for (Map.Entry<String, StoredObject> e : b.objects().tailMap(after, false).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                continue;
            }
            if (page.size() == max) {
                truncated = max > 0; // max-keys=0 asks for no keys: an empty, complete page, not a page to follow
                break;
            }
            page.add(e);
        }
        Xml xml = new Xml().open("ListBucketResult xmlns=\"" + S3_NAMESPACE + "\"").element("Name", name)
                .element("Prefix", out.apply(prefix)).element("KeyCount", page.size()).element("MaxKeys", max)
                .element("IsTruncated", truncated);
        if (encoding != null) {
            xml.element("EncodingType", encoding);
        }
        if (query.containsKey("start-after")) {
            xml.element("StartAfter", out.apply(query.get("start-after")));
        }
        if (token != null) {
            xml.element("ContinuationToken", token);
        }
        if (truncated) {
            xml.element("NextContinuationToken", Base64.getUrlEncoder().withoutPadding().encodeToString(
                    page.get(page.size() - 1).getKey().getBytes(StandardCharsets.UTF_8)));
        }
        for (Map.Entry<String, StoredObject> e : page) {
            xml.open("Contents").element("Key", out.apply(e.getKey()))
                    .element("LastModified", ISO_MILLIS.format(e.getValue().lastModified()))
                    .element("ETag", e.getValue().etag()).element("Size", e.getValue().content().length)
                    .element("StorageClass", "STANDARD").close("Contents");
        }
        return xml.close("ListBucketResult").toString().getBytes(StandardCharsets.UTF_8);
    }

    private Bucket bucket(String name) throws S3Error {
        Bucket b = buckets.get(name);
        if (b == null) {
            throw new S3Error(404, "NoSuchBucket", "The specified bucket does not exist");
        }
        return b;
    }

    private StoredObject stored(byte[] content, String contentType) {
        return new StoredObject(content, contentType, '"' + HexFormat.of().formatHex(digest("MD5", content)) + '"',
                clock.instant());
    }

    private static void send(HttpExchange x, int status, String contentType, byte[] body, boolean head) throws IOException {
        send(x, status, null, null, contentType, body, head);
    }

    private static void send(HttpExchange x, int status, String errorCode, String message, String contentType, byte[] body,
            boolean head) throws IOException {
        ((Recorder) x.getAttribute(RECORD)).record(status, errorCode, message);
        x.getResponseHeaders().add("x-amz-request-id", UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase(Locale.ROOT));
        if (contentType != null) {
            x.getResponseHeaders().add("Content-Type", contentType);
        }
        if (body == null) {
            x.sendResponseHeaders(status, -1);
        } else if (head) {
            x.getResponseHeaders().add("Content-Length", String.valueOf(body.length));
            x.sendResponseHeaders(status, -1);
        } else {
            x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            x.getResponseBody().write(body);
        }
    }

    private static void error(HttpExchange x, String method, S3Error e, String resource) throws IOException {
        byte[] body = new Xml().open("Error").element("Code", e.code).element("Message", e.getMessage())
                .element("Resource", resource).element("RequestId", UUID.randomUUID().toString())
                .close("Error").toString().getBytes(StandardCharsets.UTF_8);
        // a HEAD answer has no body: the SDK reads the code from the status alone, as from S3
        send(x, e.status, e.code, e.getMessage(), "application/xml", body, method.equals("HEAD"));
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> q = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return q;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            q.putIfAbsent(name, eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return q;
    }

    private static String decode(String s) {
        try {
            return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** Configures an {@link S3Emulator}. Not thread-safe. */
    public static final class Builder {
        private Function<String, Optional<IssuedCredentials>> credentials;
        private String region;
        private Clock clock = Clock.systemUTC();
        private int port;
        private final List<String> buckets = new ArrayList<>();

        private Builder() {}

        /**
         * Accept the credentials {@code sts} issued, in its region, by its clock.
         *
         * @param sts the STS emulator
         * @return this builder
         */
        public Builder sts(StsEmulator sts) {
            this.credentials = sts::issuedCredentials;
            this.region = sts.region();
            this.clock = sts.clock();
            return this;
        }

        /**
         * Where credentials are looked up by access key ID (empty when unknown).
         *
         * @param lookup the lookup
         * @return this builder
         */
        public Builder credentials(Function<String, Optional<IssuedCredentials>> lookup) {
            this.credentials = lookup;
            return this;
        }

        /**
         * The region signatures must be scoped to.
         *
         * @param region the region
         * @return this builder
         */
        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /**
         * The clock credentials and signature times are checked by.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The loopback port (default 0: an ephemeral one).
         *
         * @param port the port
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * A bucket that exists from the start.
         *
         * @param name the bucket's name
         * @return this builder
         */
        public Builder bucket(String name) {
            buckets.add(Objects.requireNonNull(name, "name"));
            return this;
        }

        /** {@return a started emulator; close it to stop it} */
        public S3Emulator start() {
            return new S3Emulator(this);
        }
    }
}
