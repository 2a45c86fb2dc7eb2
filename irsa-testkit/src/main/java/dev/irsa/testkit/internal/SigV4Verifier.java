package dev.irsa.testkit.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 4 ({@code AWS4-HMAC-SHA256}) requests, signed in the {@code Authorization}
 * header or presigned in the query string, by rebuilding the canonical request as the specification defines it
 * from what the client sent and says it signed. It does not re-sign with any SDK: an SDK's signer makes its own
 * choices (the Java SDK adds and signs {@code x-amz-content-sha256}, botocore does not), and a verifier that
 * re-signs accepts only clients that made the same choices.
 *
 * <p>What it guarantees:
 * <ul>
 *   <li>the canonical request uses the client's own {@code SignedHeaders} list, in the order given (lower-cased);
 *       header values trimmed with runs of spaces collapsed, repeated headers joined with {@code ,};</li>
 *   <li>canonical URI: for every service but {@code s3}, the path as received (so already encoded once) with
 *       dot segments and empty segments removed, then URI-encoded again (the specification's "encoded twice");
 *       for {@code s3}, the path percent-decoded and encoded once again with {@code /} kept, no segment removed
 *       (as S3 does: a client may send {@code //} as {@code /%2F} after signing it as {@code //});</li>
 *   <li>canonical query: names and values percent-decoded ({@code +} is a literal plus, not a space), encoded per
 *       RFC 3986 with only {@code A-Z a-z 0-9 - _ . ~} unreserved (so {@code *} becomes {@code %2A}, {@code +}
 *       {@code %2B} and {@code %7E} {@code ~}), sorted by encoded name, then value;</li>
 *   <li>payload: the {@code x-amz-content-sha256} header when present (which must then match the body unless it
 *       is {@code UNSIGNED-PAYLOAD} or a {@code STREAMING-} value), otherwise the SHA-256 of the body. Presigned
 *       requests follow the service's rule, one hash only: for {@code s3}, {@code X-Amz-Content-Sha256} from the
 *       query if present, else {@code UNSIGNED-PAYLOAD}; for every other service the SHA-256 of the body (for a
 *       {@code GET}, of the empty body: {@value #EMPTY_BODY_SHA256}), which is what every AWS presigner signs
 *       for them (the SDKs' {@code Aws4Signer} and {@code RdsUtilities}, botocore, aws-msk-iam-auth), so a
 *       signature over {@code UNSIGNED-PAYLOAD}, or a query that declares another hash, is refused;</li>
 *   <li>presigned requests name each {@code X-Amz-*} authentication parameter once (no AWS signer repeats one,
 *       and which of two values a service would take is not specified);</li>
 *   <li>time: {@code X-Amz-Date} ({@code yyyyMMdd'T'HHmmss'Z'}, a real date and time), else {@code Date}; a
 *       header-signed request must be within 15 minutes of {@code now}; a presigned one must not be past {@code X-Amz-Date + X-Amz-Expires} (at most 7 days) nor
 *       more than 15 minutes in the future; the credential scope's date must be the signing date;</li>
 *   <li>the signature is compared in constant time.</li>
 * </ul>
 * It does not judge the scope's region and service, nor the security token: those belong to the caller, which
 * finds them in the {@link Result} (filled as far as parsing got, also when verification failed). The result
 * never holds the secret key. Stateless and thread-safe.
 */
public final class SigV4Verifier {
    /** How far a header-signed request's date may be from the verifier's clock. */
    public static final Duration MAX_SKEW = Duration.ofMinutes(15);
    /** The longest {@code X-Amz-Expires} SigV4 allows: 7 days. */
    public static final long MAX_EXPIRES_SECONDS = 604_800;
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    public static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    /** The SHA-256 of no bytes: the payload hash every AWS presigner signs for services other than S3. */
    public static final String EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private static final List<String> PRESIGN_PARAMETERS = List.of("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
            "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token", "X-Amz-Content-Sha256");
    // STRICT with uuuu: a day that does not exist (20260231) is refused, not moved to the month's last day.
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'")
            .withResolverStyle(ResolverStyle.STRICT).withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();

    private SigV4Verifier() {}

    /**
     * A request as the server received it. {@code rawPath} and {@code rawQuery} are as on the wire (not decoded;
     * query without {@code ?}, null when absent); header names in any case; {@code body} the exact bytes.
     */
    public record Request(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body) {
        public Request {
            Map<String, List<String>> lower = new LinkedHashMap<>();
            headers.forEach((k, v) -> lower.computeIfAbsent(k.toLowerCase(Locale.ROOT), x -> new ArrayList<>()).addAll(v));
            headers = lower;
            body = body == null ? new byte[0] : body;
        }

        /** All values of a header, or an empty list. */
        public List<String> header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        String firstHeader(String name) {
            List<String> v = header(name);
            return v.isEmpty() ? null : v.get(0);
        }
    }

    /** The secret access key for an access key ID, or null if the key is unknown. */
    @FunctionalInterface
    public interface SecretLookup {
        String secretAccessKey(String accessKeyId);
    }

    /** Why a request was refused. */
    public enum Failure {
        /** No {@code Authorization} header and no presigned query parameters. */
        MISSING_AUTHENTICATION,
        /** A signing algorithm other than {@code AWS4-HMAC-SHA256} (SigV4a, SigV2). */
        UNSUPPORTED_ALGORITHM,
        /** Something required is missing or malformed: credential, signed headers, signature, date, expiry. */
        INCOMPLETE_SIGNATURE,
        /** The access key ID is not known to the lookup. */
        UNKNOWN_ACCESS_KEY,
        /** The credential scope's date is not the request's signing date. */
        SCOPE_DATE_MISMATCH,
        /** Signed more than 15 minutes ago, or a presigned request past its expiry. */
        EXPIRED,
        /** Signed more than 15 minutes in the future. */
        NOT_YET_VALID,
        /** The signature (or the declared payload hash) does not match the request. */
        SIGNATURE_MISMATCH
    }

    /**
     * The outcome. {@code failure} is null when the signature is valid. The other fields hold what was parsed,
     * also on failure (null where parsing did not get that far); {@code message} says precisely what failed,
     * in words close to AWS's, and holds no secret.
     */
    public record Result(Failure failure, String message, String accessKeyId, String scopeDate, String region,
                         String service, Instant signedAt, String securityToken, boolean presigned,
                         List<String> signedHeaders) {
        public boolean valid() {
            return failure == null;
        }

        Result fail(Failure f, String why) {
            return new Result(f, why, accessKeyId, scopeDate, region, service, signedAt, securityToken, presigned, signedHeaders);
        }
    }

    /** The parsed authentication parameters, from the header or from the query. */
    private record Auth(boolean presigned, String credential, List<String> signedHeaders, String signature,
                        String amzDate, String expires, String securityToken, String declaredPayload) {
    }

    /** Verifies {@code req} at time {@code now}, taking secrets from {@code secrets}. */
    public static Result verify(Request req, SecretLookup secrets, Instant now) {
        Result r = new Result(null, null, null, null, null, null, null, null, false, List.of());
        List<String[]> query;
        try {
            query = parseQuery(req.rawQuery());
        } catch (IllegalArgumentException e) {
            return r.fail(Failure.INCOMPLETE_SIGNATURE, "The query string is not validly percent-encoded.");
        }
        String authorization = req.firstHeader("authorization");
        String queryAlgorithm = queryParam(query, "X-Amz-Algorithm");
        boolean presigned = queryAlgorithm != null || queryParam(query, "X-Amz-Signature") != null;
        if (authorization != null && presigned) {
            return r.fail(Failure.INCOMPLETE_SIGNATURE, "Only one auth mechanism allowed; only the X-Amz-Algorithm query"
                    + " parameter or the Authorization header should be specified");
        }
        if (authorization == null && !presigned) {
            return r.fail(Failure.MISSING_AUTHENTICATION, "Request is missing Authentication Token");
        }
        Auth auth;
        if (presigned) {
            for (String name : PRESIGN_PARAMETERS) {
                if (query.stream().filter(p -> p[0].equals(name)).count() > 1) {
                    return r.fail(Failure.INCOMPLETE_SIGNATURE, "The query parameter " + name + " appears more than once.");
                }
            }
            if (!ALGORITHM.equals(queryAlgorithm)) {
                return r.fail(Failure.UNSUPPORTED_ALGORITHM, "X-Amz-Algorithm must be " + ALGORITHM + ", not " + queryAlgorithm + ".");
            }
            String sh = queryParam(query, "X-Amz-SignedHeaders");
            auth = new Auth(true, queryParam(query, "X-Amz-Credential"), sh == null ? null : List.of(sh.split(";", -1)),
                    queryParam(query, "X-Amz-Signature"), queryParam(query, "X-Amz-Date"), queryParam(query, "X-Amz-Expires"),
                    queryParam(query, "X-Amz-Security-Token"), queryParam(query, "X-Amz-Content-Sha256"));
        } else {
            String a = authorization.trim();
            int sp = a.indexOf(' ');
            String algorithm = sp < 0 ? a : a.substring(0, sp);
            if (!ALGORITHM.equals(algorithm)) {
                return r.fail(Failure.UNSUPPORTED_ALGORITHM, "Unsupported signing algorithm " + algorithm + "; use " + ALGORITHM + ".");
            }
            Map<String, String> parts = new LinkedHashMap<>();
            for (String p : (sp < 0 ? "" : a.substring(sp + 1)).split(",")) {
                int eq = p.indexOf('=');
                if (eq > 0) {
                    parts.putIfAbsent(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
                }
            }
            String sh = parts.get("SignedHeaders");
            String amzDate = req.firstHeader("x-amz-date");
            if (amzDate == null && req.firstHeader("date") != null) {
                try {
                    amzDate = AMZ_DATE.format(DateTimeFormatter.RFC_1123_DATE_TIME.parse(req.firstHeader("date").trim(), Instant::from));
                } catch (DateTimeParseException e) {
                    return r.fail(Failure.INCOMPLETE_SIGNATURE, "The Date header is not an RFC 1123 date.");
                }
            }
            auth = new Auth(false, parts.get("Credential"), sh == null ? null : List.of(sh.split(";", -1)),
                    parts.get("Signature"), amzDate, null, req.firstHeader("x-amz-security-token"),
                    req.firstHeader("x-amz-content-sha256"));
        }
        r = new Result(null, null, null, null, null, null, null, auth.securityToken(), presigned,
                auth.signedHeaders() == null ? List.of() : auth.signedHeaders().stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList());
        if (auth.credential() == null || auth.signedHeaders() == null || auth.signature() == null) {
            return r.fail(Failure.INCOMPLETE_SIGNATURE, presigned
                    ? "Presigned requests require the X-Amz-Credential, X-Amz-SignedHeaders, X-Amz-Date and X-Amz-Signature query parameters."
                    : "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
        }
        String[] scope = auth.credential().split("/", -1);
        if (scope.length != 5 || !"aws4_request".equals(scope[4]) || scope[0].isEmpty()) {
            return r.fail(Failure.INCOMPLETE_SIGNATURE, "Credential must have the form"
                    + " <access key id>/<yyyyMMdd>/<region>/<service>/aws4_request.");
        }
        r = new Result(null, null, scope[0], scope[1], scope[2], scope[3], null, r.securityToken(), presigned, r.signedHeaders());
        if (r.signedHeaders().stream().anyMatch(String::isEmpty) || !r.signedHeaders().contains("host")) {
            return r.fail(Failure.INCOMPLETE_SIGNATURE, "SignedHeaders must be a ';'-separated list that includes host.");
        }
        Instant signedAt;
        try {
            signedAt = AMZ_DATE.parse(auth.amzDate() == null ? "" : auth.amzDate(), Instant::from);
        } catch (DateTimeParseException e) {
            return r.fail(Failure.INCOMPLETE_SIGNATURE, (presigned ? "X-Amz-Date" : "X-Amz-Date (or Date)")
                    + " is missing or not in the form yyyyMMdd'T'HHmmss'Z'.");
        }
        String amzDate = AMZ_DATE.format(signedAt);
        r = new Result(null, null, r.accessKeyId(), r.scopeDate(), r.region(), r.service(), signedAt, r.securityToken(),
                presigned, r.signedHeaders());
        if (!scope[1].equals(amzDate.substring(0, 8))) {
            return r.fail(Failure.SCOPE_DATE_MISMATCH, "Date in Credential scope does not match YYYYMMDD from ISO-8601"
                    + " version of date from HTTP: '" + scope[1] + "' != '" + amzDate.substring(0, 8) + "'");
        }
        long expires = 0;
        if (presigned) {
            try {
                expires = Long.parseLong(auth.expires() == null ? "" : auth.expires());
            } catch (NumberFormatException e) {
                return r.fail(Failure.INCOMPLETE_SIGNATURE, "X-Amz-Expires must be a number of seconds.");
            }
            if (expires < 1 || expires > MAX_EXPIRES_SECONDS) {
                return r.fail(Failure.INCOMPLETE_SIGNATURE, "X-Amz-Expires must be between 1 and " + MAX_EXPIRES_SECONDS + " seconds.");
            }
        }
        String secret = secrets.secretAccessKey(scope[0]);
        if (secret == null) {
            return r.fail(Failure.UNKNOWN_ACCESS_KEY, "The security token included in the request is invalid.");
        }
        if (signedAt.isAfter(now.plus(MAX_SKEW))) {
            return r.fail(Failure.NOT_YET_VALID, "Signature not yet current: " + amzDate + " is still later than "
                    + AMZ_DATE.format(now.plus(MAX_SKEW)) + " (" + AMZ_DATE.format(now) + " + 15 min.)");
        }
        if (presigned && now.isAfter(signedAt.plusSeconds(expires))) {
            return r.fail(Failure.EXPIRED, "Request has expired: signed at " + amzDate + ", valid for " + expires
                    + " s, now " + AMZ_DATE.format(now) + ".");
        }
        if (!presigned && signedAt.isBefore(now.minus(MAX_SKEW))) {
            return r.fail(Failure.EXPIRED, "Signature expired: " + amzDate + " is now earlier than "
                    + AMZ_DATE.format(now.minus(MAX_SKEW)) + " (" + AMZ_DATE.format(now) + " - 15 min.)");
        }
        for (String h : r.signedHeaders()) {
            if (req.header(h).isEmpty()) {
                return r.fail(Failure.SIGNATURE_MISMATCH, "Header '" + h + "' is in SignedHeaders but not in the request.");
            }
        }

        String bodyHash = HEX.formatHex(sha256(req.body()));
        boolean s3 = isS3(scope[3]);
        String payloadHash;
        if (presigned && !s3) {
            // Outside S3 the service hashes the body itself; a declared hash can only agree with it.
            if (auth.declaredPayload() != null && !auth.declaredPayload().trim().equalsIgnoreCase(bodyHash)) {
                return r.fail(Failure.SIGNATURE_MISMATCH, "X-Amz-Content-Sha256 is '" + auth.declaredPayload().trim()
                        + "'; a presigned request to " + scope[3] + " is signed over the SHA-256 of its body ("
                        + bodyHash + "). Only S3 takes another payload hash.");
            }
            payloadHash = bodyHash;
        } else if (auth.declaredPayload() != null) {
            String declared = auth.declaredPayload().trim();
            boolean literal = declared.equals(UNSIGNED_PAYLOAD) || declared.startsWith("STREAMING-");
            if (!presigned && !literal && !declared.equalsIgnoreCase(bodyHash)) {
                return r.fail(Failure.SIGNATURE_MISMATCH, "The provided 'x-amz-content-sha256' header does not match what was computed.");
            }
            payloadHash = declared;
        } else {
            // S3's presigned URLs sign UNSIGNED-PAYLOAD (the body is not known when the URL is made).
            payloadHash = presigned ? UNSIGNED_PAYLOAD : bodyHash;
        }
        byte[] key = signingKey(secret, scope[1], scope[2], scope[3]);
        byte[] given = auth.signature().trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        String canonical = canonicalRequest(req, query, r.signedHeaders(), payloadHash, scope[3], presigned);
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + String.join("/", Arrays.copyOfRange(scope, 1, 5)) + "\n"
                + HEX.formatHex(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
        byte[] expected = HEX.formatHex(hmac(key, stringToSign)).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) {
            String hint = !presigned ? "" : s3 ? " (A presigned request to s3 is checked over " + payloadHash + ".)"
                    : " (A presigned request to " + scope[3] + " is checked over the SHA-256 of the "
                    + (req.body().length == 0 ? "empty body" : "body") + ", as every AWS signer for it signs,"
                    + " never over " + UNSIGNED_PAYLOAD + ", which only S3 accepts.)";
            return r.fail(Failure.SIGNATURE_MISMATCH, "The request signature we calculated does not match the signature"
                    + " you provided. Check your AWS Secret Access Key and signing method. Consult the service"
                    + " documentation for details." + hint);
        }
        return r;
    }

    /** The canonical request for header-signed {@code req}: for tests that compare it with the test suite's. */
    static String canonicalRequest(Request req, List<String> signedHeaders, String payloadHash, String service) {
        return canonicalRequest(req, parseQuery(req.rawQuery()), signedHeaders, payloadHash, service, false);
    }

    private static String canonicalRequest(Request req, List<String[]> query, List<String> signedHeaders,
                                           String payloadHash, String service, boolean presigned) {
        StringBuilder sb = new StringBuilder();
        sb.append(req.method()).append('\n');
        sb.append(canonicalUri(req.rawPath(), service)).append('\n');
        sb.append(canonicalQuery(query, presigned)).append('\n');
        for (String h : signedHeaders) {
            List<String> values = new ArrayList<>();
            for (String v : req.header(h)) {
                values.add(v.trim().replaceAll(" +", " "));
            }
            sb.append(h).append(':').append(String.join(",", values)).append('\n');
        }
        sb.append('\n').append(String.join(";", signedHeaders)).append('\n').append(payloadHash);
        return sb.toString();
    }

    /**
     * S3 and the services signed as S3 is (botocore's S3SigV4Auth: Outposts, Express One Zone): presigned URLs sign
     * UNSIGNED-PAYLOAD, and the path is signed encoded once, not normalized.
     */
    private static boolean isS3(String service) {
        return "s3".equals(service) || "s3-outposts".equals(service) || "s3express".equals(service);
    }

    private static String canonicalUri(String rawPath, String service) {
        String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
        if (isS3(service)) {
            // S3 builds the canonical URI from the decoded key, encoded once with '/' kept and no normalization:
            // the SDK's Apache clients sign /b/a//b but send /b/a/%2Fb, and S3 accepts it.
            try {
                return uriEncode(percentDecode(path), false);
            } catch (IllegalArgumentException e) {
                return path; // not validly percent-encoded: signed as sent, so it can only fail to verify
            }
        }
        Deque<String> segments = new ArrayDeque<>();
        for (String s : path.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                segments.pollLast();
            } else {
                segments.addLast(s);
            }
        }
        String normalized = "/" + String.join("/", segments);
        if (path.endsWith("/") && !normalized.endsWith("/")) {
            normalized += "/";
        }
        // The wire path is already encoded once; encoding it again (so '%' becomes %25) is SigV4's double encoding.
        return uriEncode(normalized, false);
    }

    private static String canonicalQuery(List<String[]> query, boolean presigned) {
        List<String[]> encoded = new ArrayList<>();
        for (String[] p : query) {
            if (presigned && p[0].equals("X-Amz-Signature")) {
                continue;
            }
            encoded.add(new String[] {uriEncode(p[0], true), uriEncode(p[1], true)});
        }
        encoded.sort(Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]));
        StringBuilder sb = new StringBuilder();
        for (String[] p : encoded) {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(p[0]).append('=').append(p[1]);
        }
        return sb.toString();
    }

    /** Decoded (name, value) pairs in order; a pair without {@code =} has an empty value. */
    private static List<String[]> parseQuery(String rawQuery) {
        List<String[]> out = new ArrayList<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            out.add(new String[] {percentDecode(eq < 0 ? pair : pair.substring(0, eq)),
                    eq < 0 ? "" : percentDecode(pair.substring(eq + 1))});
        }
        return out;
    }

    private static String queryParam(List<String[]> query, String name) {
        for (String[] p : query) {
            if (p[0].equals(name)) {
                return p[1];
            }
        }
        return null;
    }

    /** Percent-decoding only: unlike form decoding, {@code +} stays a plus (SigV4 clients send a space as %20). */
    private static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException("truncated escape");
                }
                out.write(HexFormat.fromHexDigits(s, i + 1, i + 3));
                i += 3;
            } else {
                int cp = s.codePointAt(i);
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** RFC 3986 encoding of the UTF-8 bytes, {@code A-Z a-z 0-9 - _ . ~} unreserved; {@code /} kept unless asked. */
    public static String uriEncode(String s, boolean encodeSlash) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash)) {
                sb.append(c);
            } else {
                sb.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
            }
        }
        return sb.toString();
    }

    /**
     * The SigV4 signing key derived from {@code secret} for one scope: what S3's aws-chunked bodies chain their chunk
     * signatures with. The caller holds the secret already; nothing here keeps it.
     */
    public static byte[] signingKey(String secret, String date, String region, String service) {
        byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        return hmac(hmac(hmac(k, region), service), "aws4_request");
    }

    /** {@return the lower-case hex HMAC-SHA256 of {@code data} under {@code key}} */
    public static String hmacHex(byte[] key, String data) {
        return HEX.formatHex(hmac(key, data));
    }

    /** {@return the lower-case hex SHA-256 of {@code data}} */
    public static String sha256Hex(byte[] data) {
        return HEX.formatHex(sha256(data));
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
