package dev.irsa.rds.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * Signs an RDS IAM authentication token: the SigV4-presigned {@code connect} request that the SDK's
 * {@code RdsUtilities.generateAuthenticationToken} makes, byte for byte ({@code RdsTokenSignerTest} compares them), but
 * without logging. The SDK's signers (the legacy {@code Aws4Signer} that {@code RdsUtilities} uses, and
 * {@code AwsV4HttpSigner}) log each canonical request at DEBUG, and a presigned request's canonical request holds
 * {@code X-Amz-Security-Token}: an application that turns on DEBUG for {@code software.amazon.awssdk} would write the
 * session token to its logs with every token signed.
 *
 * <p>{@code <host>[:<port>]/?DBUser=<user>&Action=connect[&X-Amz-Security-Token=...]&X-Amz-Algorithm=AWS4-HMAC-SHA256
 * &X-Amz-Date=...&X-Amz-SignedHeaders=host&X-Amz-Expires=900&X-Amz-Credential=...&X-Amz-Signature=...},
 * the port left out when it is 443 (the standard port of the {@code https} request signed), as the SDK does.
 * Aurora DSQL tokens ({@link #signDsql}) are the same kind of presigned request, for service {@code dsql}.
 */
public final class RdsTokenSigner {
    private static final String RDS_SERVICE = "rds-db";
    private static final String DSQL_SERVICE = "dsql";
    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    /** SHA-256 of the empty payload: a presigned GET has no body. */
    private static final String EMPTY_PAYLOAD_HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final long EXPIRES_SECONDS = 900;
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();

    private RdsTokenSigner() {}

    /**
     * The token.
     *
     * @param host the endpoint's host name as signed for (the caller lower-cases it)
     * @param port the endpoint's port
     * @param user the database user
     * @param region the signing region
     * @param credentials the credentials to sign with; a session token is signed in when they have one
     * @param at the signing time (whole seconds are used, as {@code X-Amz-Date} has)
     * @return the token, to send as the password
     */
    public static String sign(String host, int port, String user, String region, AwsCredentialsIdentity credentials, Instant at) {
        // the order RdsUtilities writes them in (so a token compares equal to the SDK's); signed in sorted order
        Map<String, String> query = new LinkedHashMap<>();
        query.put("DBUser", encode(user));
        query.put("Action", "connect");
        return presign(port == 443 ? host : host + ":" + port, query, RDS_SERVICE, region, credentials, at);
    }

    /**
     * An Aurora DSQL authentication token: the SigV4-presigned {@code Action=DbConnect} (or {@code DbConnectAdmin})
     * request that the SDK's {@code DsqlUtilities.generateDbConnectAuthToken} ({@code generateDbConnectAdminAuthToken})
     * makes, byte for byte, with its default 900-second expiry: {@code <host>/?Action=...&X-Amz-...}, signed for
     * service {@code dsql} and the cluster endpoint's host alone (DSQL's token names neither port nor user).
     *
     * @param host the cluster endpoint's host name as signed for (the caller lower-cases it)
     * @param admin {@code DbConnectAdmin} (the {@code admin} role) rather than {@code DbConnect} (custom roles)
     * @param region the signing region
     * @param credentials the credentials to sign with; a session token is signed in when they have one
     * @param at the signing time (whole seconds are used, as {@code X-Amz-Date} has)
     * @return the token, to send as the password
     */
    public static String signDsql(String host, boolean admin, String region, AwsCredentialsIdentity credentials, Instant at) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("Action", admin ? "DbConnectAdmin" : "DbConnect");
        return presign(host, query, DSQL_SERVICE, region, credentials, at);
    }

    /** The presigned GET of {@code https://<hostHeader>/?<query>}, the SDK's {@code Aws4Signer.presign} order. */
    private static String presign(String hostHeader, Map<String, String> query, String service, String region,
                                  AwsCredentialsIdentity credentials, Instant at) {
        String amzDate = AMZ_DATE.format(at);
        String scope = DATE.format(at) + "/" + region + "/" + service + "/aws4_request";
        if (credentials instanceof AwsSessionCredentialsIdentity s) {
            query.put("X-Amz-Security-Token", encode(s.sessionToken()));
        }
        query.put("X-Amz-Algorithm", ALGORITHM);
        query.put("X-Amz-Date", amzDate);
        query.put("X-Amz-SignedHeaders", "host");
        query.put("X-Amz-Expires", Long.toString(EXPIRES_SECONDS));
        query.put("X-Amz-Credential", encode(credentials.accessKeyId() + "/" + scope));
        String canonicalRequest = "GET\n/\n" + join(new TreeMap<>(query)) + "\nhost:" + hostHeader + "\n\nhost\n"
                + EMPTY_PAYLOAD_HASH;
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + HEX.formatHex(sha256(canonicalRequest));
        byte[] key = hmac(("AWS4" + credentials.secretAccessKey()).getBytes(StandardCharsets.UTF_8), DATE.format(at));
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        String signature = HEX.formatHex(hmac(key, stringToSign));
        return hostHeader + "/?" + join(query) + "&X-Amz-Signature=" + signature;
    }

    private static String join(Map<String, String> query) {
        StringBuilder b = new StringBuilder();
        query.forEach((k, v) -> b.append(b.length() == 0 ? "" : "&").append(k).append('=').append(v));
        return b.toString();
    }

    /** RFC 3986 unreserved characters kept, everything else percent-encoded from UTF-8 (as SigV4 asks). */
    static String encode(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return b.toString();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
