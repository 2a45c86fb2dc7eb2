package dev.irsa.testkit.rds;

import dev.irsa.testkit.IssuedCredentials;
import dev.irsa.testkit.StsEmulator;
import dev.irsa.testkit.internal.SigV4Verifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Checks an RDS / Aurora IAM database authentication token as the database does before it lets the connection in:
 * the token is a SigV4 presigned URL without its scheme, {@code host:port/?Action=connect&DBUser=...&X-Amz-...},
 * signed for service {@code rds-db}. A token passes when
 * <ul>
 *   <li>its signature is a valid presigned SigV4 signature (canonical request rebuilt from the token, never by
 *       re-signing with an SDK) by credentials the {@linkplain #forEmulator(StsEmulator) emulator issued}, with
 *       their session token;</li>
 *   <li>those credentials have not expired at the time of use (a token never outlives the credentials that signed
 *       it), and the token is within {@code X-Amz-Date + X-Amz-Expires}, with {@code X-Amz-Expires} at most 900
 *       seconds (15 minutes);</li>
 *   <li>{@code Action=connect}, {@code DBUser} is the database user, the signed {@code host} is the endpoint the
 *       client connects to ({@code host:port}, or {@code host} alone for 443), and the scope is the expected region
 *       and {@code rds-db}.</li>
 * </ul>
 * Each refusal has its own {@link Reason}. It accepts exactly what RDS accepts, no more; it refuses (each case proven
 * by {@code RdsAuthTokenVerifierTest}):
 * <ul>
 *   <li>a signature over {@code UNSIGNED-PAYLOAD}: RDS checks the SHA-256 of the empty body, which every AWS signer
 *       for {@code rds-db} signs ({@code RdsUtilities}, botocore's {@code generate_db_auth_token}, the AWS JDBC
 *       wrapper), so does this ({@link Reason#SIGNATURE_MISMATCH});</li>
 *   <li>any signed part changed (user, host, signature) or a wrong secret ({@link Reason#SIGNATURE_MISMATCH}); an
 *       unknown access key, a missing or other session token, expired credentials;</li>
 *   <li>{@code X-Amz-Expires} above 900 ({@link Reason#EXPIRES_TOO_LONG}), below 1 or not a number; a token past
 *       its expiry or dated more than 15 minutes ahead;</li>
 *   <li>({@link Reason#MALFORMED}) an algorithm other than {@code AWS4-HMAC-SHA256}; signed headers without
 *       {@code host}; a credential scope whose date is not {@code X-Amz-Date}'s; an {@code X-Amz-Date} that is not
 *       a real {@code yyyyMMdd'T'HHmmss'Z'} time; any parameter named twice (which of two {@code DBUser}s RDS would
 *       take is not specified, and no AWS signer writes one twice);</li>
 *   <li>another region or service in the scope, an {@code Action} other than {@code connect}, another user,
 *       host or port.</li>
 * </ul>
 * <p>Aurora DSQL tokens are checked by {@link #verifyDsql}: the same presigned SigV4 URL, {@code host/?Action=...},
 * signed for service {@code dsql} and the cluster endpoint's host alone (no port: DSQL's token names neither port nor
 * user), with {@code X-Amz-Expires} up to a week (604,800 seconds, DSQL's maximum), and the action DSQL asks of the
 * role logging in: {@code DbConnectAdmin} for {@code admin}, its one built-in role, {@code DbConnect} for every
 * custom role; either the other way round is refused ({@link Reason#WRONG_ACTION}), as are an RDS token
 * ({@link Reason#WRONG_SERVICE}) and a token for another cluster ({@link Reason#WRONG_ENDPOINT}).
 *
 * <p>Stateless apart from the lookup and clock; thread-safe; never blocks.
 * Neither the token nor any secret appears in a {@link Verdict}.
 *
 * @since 0.1.0
 */
public final class RdsAuthTokenVerifier {
    /** The longest validity RDS accepts: 15 minutes. */
    public static final long MAX_EXPIRES_SECONDS = 900;
    /** The SigV4 service name of RDS IAM database authentication. */
    public static final String SERVICE = "rds-db";
    /** The SigV4 service name of Aurora DSQL authentication tokens. */
    public static final String DSQL_SERVICE = "dsql";
    /** The longest validity Aurora DSQL accepts: one week. */
    public static final long DSQL_MAX_EXPIRES_SECONDS = 604_800;
    /** Aurora DSQL's one built-in role, the only one that logs in with {@code DbConnectAdmin}. */
    public static final String DSQL_ADMIN = "admin";

    private final Function<String, Optional<IssuedCredentials>> issued;
    private final Clock clock;

    private RdsAuthTokenVerifier(Function<String, Optional<IssuedCredentials>> issued, Clock clock) {
        this.issued = Objects.requireNonNull(issued, "issued");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * A verifier that accepts tokens signed with credentials {@code sts} issued, judged at the system clock.
     *
     * @param sts the emulator whose issued credentials sign valid tokens
     * @return the verifier
     */
    public static RdsAuthTokenVerifier forEmulator(StsEmulator sts) {
        return forEmulator(sts, Clock.systemUTC());
    }

    /**
     * A verifier that accepts tokens signed with credentials {@code sts} issued, judged at {@code clock}'s time.
     *
     * @param sts the emulator whose issued credentials sign valid tokens
     * @param clock the time of use (e.g. a {@link dev.irsa.testkit.ManualClock})
     * @return the verifier
     */
    public static RdsAuthTokenVerifier forEmulator(StsEmulator sts, Clock clock) {
        Objects.requireNonNull(sts, "sts");
        return new RdsAuthTokenVerifier(sts::issuedCredentials, clock);
    }

    /**
     * A verifier over any source of known credentials.
     *
     * @param issued the credentials known under an access key ID, or empty
     * @param clock the time of use
     * @return the verifier
     */
    public static RdsAuthTokenVerifier of(Function<String, Optional<IssuedCredentials>> issued, Clock clock) {
        return new RdsAuthTokenVerifier(issued, clock);
    }

    /** Why a token was refused, or {@link #ACCEPTED}. */
    public enum Reason {
        /** The token is valid for this endpoint and user. */
        ACCEPTED,
        /** Not a presigned SigV4 URL of the form {@code host:port/?...}, or a required parameter is missing. */
        MALFORMED,
        /** The access key ID is not one the emulator issued (or it no longer tracks). */
        UNKNOWN_ACCESS_KEY,
        /** {@code X-Amz-Security-Token} is missing or not the session token issued with the access key. */
        WRONG_SESSION_TOKEN,
        /** The credentials that signed the token have expired. */
        EXPIRED_CREDENTIALS,
        /** Past {@code X-Amz-Date + X-Amz-Expires}. */
        EXPIRED_TOKEN,
        /** Signed more than 15 minutes in the future. */
        NOT_YET_VALID,
        /** The signature does not match the token (tampered, or signed with another secret key). */
        SIGNATURE_MISMATCH,
        /** {@code X-Amz-Expires} above 900 seconds (a week for DSQL). */
        EXPIRES_TOO_LONG,
        /** Signed for another region. */
        WRONG_REGION,
        /** Signed for a service other than {@code rds-db} ({@code dsql} for DSQL). */
        WRONG_SERVICE,
        /**
         * {@code Action} is not {@code connect}; for DSQL, not {@code DbConnectAdmin} for {@code admin} or not
         * {@code DbConnect} for another role.
         */
        WRONG_ACTION,
        /** Signed for another database user. */
        WRONG_USER,
        /** Signed for another host or port. */
        WRONG_ENDPOINT
    }

    /**
     * The outcome of a check.
     *
     * @param reason {@link Reason#ACCEPTED} or why the token was refused
     * @param message what was wrong, in words a test failure can show; holds no secret
     * @param accessKeyId the signing access key ID, when the token got that far
     * @param assumedRoleArn the assumed-role ARN of the signing credentials, when known
     * @param signedAt the token's {@code X-Amz-Date}, when parsed
     */
    public record Verdict(Reason reason, String message, String accessKeyId, String assumedRoleArn, Instant signedAt) {
        /** {@return whether the token was accepted} */
        public boolean accepted() {
            return reason == Reason.ACCEPTED;
        }
    }

    /**
     * Checks {@code token} as the database at {@code host:port} in {@code region} would for {@code dbUser}.
     *
     * @param token the authentication token the client sent as its password
     * @param host the database endpoint's host name
     * @param port the database endpoint's port
     * @param dbUser the database user the client logs in as
     * @param region the database's region
     * @return the verdict; never null, never throws for a bad token
     */
    public Verdict verify(String token, String host, int port, String dbUser, String region) {
        return check(token, port == 443 ? host : host + ":" + port, dbUser, region, false);
    }

    /**
     * Checks {@code token} as the Aurora DSQL cluster at {@code host} in {@code region} would for the role
     * {@code dbUser}: service {@code dsql}, signed for the host alone, {@code Action=DbConnectAdmin} when
     * {@code dbUser} is {@code admin} and {@code DbConnect} otherwise, at most a week's validity.
     *
     * @param token the authentication token the client sent as its password
     * @param host the cluster endpoint's host name, e.g. {@code <cluster-id>.dsql.us-east-1.on.aws}
     * @param dbUser the database role the client logs in as
     * @param region the cluster's region
     * @return the verdict; never null, never throws for a bad token
     */
    public Verdict verifyDsql(String token, String host, String dbUser, String region) {
        return check(token, host, dbUser, region, true);
    }

    private Verdict check(String token, String expected, String dbUser, String region, boolean dsql) {
        Instant now = clock.instant();
        if (token == null || token.isEmpty()) {
            return new Verdict(Reason.MALFORMED, "No token.", null, null, null);
        }
        int q = token.indexOf("/?");
        if (q <= 0 || token.contains("://")) {
            return new Verdict(Reason.MALFORMED, (dsql ? "A DSQL token has the form host/?Action=DbConnect&X-Amz-...,"
                    : "A token has the form host:port/?Action=connect&DBUser=...&X-Amz-...,") + " without a scheme.",
                    null, null, null);
        }
        String authority = token.substring(0, q);
        List<String> repeated = QueryParams.repeated(token.substring(q + 2));
        if (!repeated.isEmpty()) {
            // Which of two users or actions RDS would take is not specified, and no AWS signer writes either twice.
            return new Verdict(Reason.MALFORMED, "The token names " + String.join(", ", repeated) + " more than once.",
                    null, null, null);
        }
        SigV4Verifier.Request req = new SigV4Verifier.Request("GET", "/", token.substring(q + 2),
                Map.of("host", List.of(authority)), new byte[0]);
        SigV4Verifier.Result r = SigV4Verifier.verify(req,
                akid -> issued.apply(akid).map(IssuedCredentials::secretAccessKey).orElse(null), now);
        if (r.failure() == SigV4Verifier.Failure.MISSING_AUTHENTICATION || r.failure() == SigV4Verifier.Failure.UNSUPPORTED_ALGORITHM
                || r.failure() == SigV4Verifier.Failure.INCOMPLETE_SIGNATURE || r.failure() == SigV4Verifier.Failure.SCOPE_DATE_MISMATCH) {
            return new Verdict(Reason.MALFORMED, r.message(), r.accessKeyId(), null, r.signedAt());
        }
        if (!r.presigned()) {
            return new Verdict(Reason.MALFORMED, "Not a presigned URL.", r.accessKeyId(), null, r.signedAt());
        }
        Optional<IssuedCredentials> creds = r.accessKeyId() == null ? Optional.empty() : issued.apply(r.accessKeyId());
        if (creds.isEmpty()) {
            return new Verdict(Reason.UNKNOWN_ACCESS_KEY, "The access key ID " + r.accessKeyId()
                    + " was not issued by this emulator (or is no longer tracked).", r.accessKeyId(), null, r.signedAt());
        }
        IssuedCredentials c = creds.get();
        Verdict fail = null;
        if (r.securityToken() == null || !MessageDigest.isEqual(r.securityToken().getBytes(StandardCharsets.UTF_8),
                c.sessionToken().getBytes(StandardCharsets.UTF_8))) {
            fail = verdict(Reason.WRONG_SESSION_TOKEN, "X-Amz-Security-Token is missing or is not the session token"
                    + " issued with " + c.accessKeyId() + ".", c, r);
        } else if (!now.isBefore(c.expiration())) {
            fail = verdict(Reason.EXPIRED_CREDENTIALS, "The credentials that signed the token expired at "
                    + c.expiration() + " (now " + now + "): a token is never valid longer than its credentials.", c, r);
        } else if (r.failure() == SigV4Verifier.Failure.EXPIRED) {
            fail = verdict(Reason.EXPIRED_TOKEN, r.message(), c, r);
        } else if (r.failure() == SigV4Verifier.Failure.NOT_YET_VALID) {
            fail = verdict(Reason.NOT_YET_VALID, r.message(), c, r);
        } else if (!r.valid()) {
            fail = verdict(Reason.SIGNATURE_MISMATCH, r.message(), c, r);
        }
        if (fail != null) {
            return fail;
        }
        Map<String, String> params = QueryParams.parse(token.substring(q + 2));
        long expires = Long.parseLong(params.get("X-Amz-Expires"));
        long maxExpires = dsql ? DSQL_MAX_EXPIRES_SECONDS : MAX_EXPIRES_SECONDS;
        if (expires > maxExpires) {
            return verdict(Reason.EXPIRES_TOO_LONG, "X-Amz-Expires is " + expires + " s; " + (dsql ? "DSQL" : "RDS")
                    + " accepts at most " + maxExpires + ".", c, r);
        }
        if (!Objects.equals(region, r.region())) {
            return verdict(Reason.WRONG_REGION, "Signed for region " + r.region() + ", the database is in " + region + ".", c, r);
        }
        String service = dsql ? DSQL_SERVICE : SERVICE;
        if (!service.equals(r.service())) {
            return verdict(Reason.WRONG_SERVICE, "Signed for service " + r.service() + ", not " + service + ".", c, r);
        }
        String action = !dsql ? "connect" : DSQL_ADMIN.equals(dbUser) ? "DbConnectAdmin" : "DbConnect";
        if (!action.equals(params.get("Action"))) {
            return verdict(Reason.WRONG_ACTION, "Action is " + params.get("Action") + ", not " + action
                    + (dsql ? (DSQL_ADMIN.equals(dbUser) ? ": DSQL's admin role logs in only with DbConnectAdmin."
                            : ": a custom DSQL role (any but admin) logs in only with DbConnect.") : "."), c, r);
        }
        if (!dsql && !Objects.equals(dbUser, params.get("DBUser"))) {
            return verdict(Reason.WRONG_USER, "Signed for database user " + params.get("DBUser") + ", the client logs in as "
                    + dbUser + ".", c, r);
        }
        if (!authority.toLowerCase(Locale.ROOT).equals(expected.toLowerCase(Locale.ROOT))) {
            return verdict(Reason.WRONG_ENDPOINT, "Signed for " + authority + ", the database is " + expected + ".", c, r);
        }
        return verdict(Reason.ACCEPTED, "Accepted: " + c.assumedRoleArn() + " as " + dbUser + ".", c, r);
    }

    private static Verdict verdict(Reason reason, String message, IssuedCredentials c, SigV4Verifier.Result r) {
        return new Verdict(reason, message, c.accessKeyId(), c.assumedRoleArn(), r.signedAt());
    }

    @Override
    public String toString() {
        return "RdsAuthTokenVerifier[clock=" + clock + "]";
    }
}
