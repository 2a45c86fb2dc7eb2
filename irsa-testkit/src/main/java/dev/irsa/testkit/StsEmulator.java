package dev.irsa.testkit;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpExchange;
import dev.irsa.testkit.internal.FormData;
import dev.irsa.testkit.internal.IdentityTokenVerifier;
import dev.irsa.testkit.internal.LoopbackHttpServer;
import dev.irsa.testkit.internal.SigV4Verifier;
import dev.irsa.testkit.internal.StsException;
import dev.irsa.testkit.internal.Xml;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AWS STS emulator on loopback HTTP that speaks the real Query protocol (form-encoded POST,
 * {@code Version=2011-06-15}, XML answers and {@code ErrorResponse} bodies with request IDs and the HTTP
 * status STS uses) and validates like STS:
 *
 * <ul>
 *   <li>{@code AssumeRoleWithWebIdentity} (unsigned): parameter constraints, the token's issuer registered as an
 *       IAM OIDC provider whose client IDs hold the token's audience, the signature against the issuer's JWKS
 *       (fetched over HTTP and cached), {@code exp}/{@code nbf}, the role's trust policy (real IAM JSON), and the
 *       role's maximum session duration.</li>
 *   <li>{@code AssumeRole} (SigV4-signed): role chaining from issued credentials, with {@code sts:ExternalId}.</li>
 *   <li>{@code GetCallerIdentity} (SigV4-signed): only credentials this emulator issued and has not seen expire;
 *       the signature is verified from the canonical request as SigV4 defines it
 *       (header-signed or presigned), so requests signed by any conforming client (botocore, SDK JS v3, SDK Java v2)
 *       are accepted, within 15 minutes of the emulator's clock.</li>
 * </ul>
 *
 * <p>Tests can inject {@linkplain #faults() faults} and read the {@linkplain #calls() call log}. Thread-safe;
 * requests are served by named daemon threads; {@link #close()} stops the server.
 * @since 0.1.0
 */
public final class StsEmulator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StsEmulator.class);
    private static final String VERSION = "2011-06-15";
    private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]*");
    private static final Pattern ROLE_ARN = Pattern.compile("arn:(aws[a-z-]*):iam::(\\d{12}):role/((?:[\\w+=,.@-]+/)*)([\\w+=,.@-]{1,64})");
    private static final Pattern EXTERNAL_ID = Pattern.compile("[\\w+=,.@:/-]*");
    private static final int PACKED_POLICY_LIMIT_BYTES = 1024;
    private static final char[] ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private final LoopbackHttpServer.Bound http;
    private final URI endpoint;
    private final String accountId;
    private final String region;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final IdentityTokenVerifier tokenVerifier;
    private final Map<String, List<String>> oidcProviders = new ConcurrentHashMap<>();
    private final Map<String, Role> roles = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Faults faults = new Faults();
    private final CallLog calls = new CallLog();
    private volatile Duration credentialLifetime;
    private final java.util.concurrent.atomic.AtomicLong rawFaultBytesSent = new java.util.concurrent.atomic.AtomicLong();

    private record Role(String arn, String name, String roleId, TrustPolicy trustPolicy, Duration maxSessionDuration) {
    }

    /** Credentials this emulator issued. */
    private record Issued(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration) {
    }

    private record Session(Issued issued, String assumedRoleArn, String assumedRoleId, String roleArn,
                           String accountId) {
    }

    private StsEmulator(Builder b) {
        this.accountId = b.accountId;
        this.region = b.region;
        this.clock = b.clock;
        this.credentialLifetime = b.credentialLifetime;
        this.tokenVerifier = new IdentityTokenVerifier(clock, b.tokenClockSkew);
        this.http = LoopbackHttpServer.bind(b.port, "irsa-testkit-sts");
        this.endpoint = URI.create("http://127.0.0.1:" + http.port());
        http.server().createContext("/", this::handle);
        http.start();
    }

    /**
     * Starts an emulator for account {@code 111122223333} in {@code us-west-2} on an ephemeral port.
     *
     * @return the running emulator; close it to stop it
     */
    public static StsEmulator start() {
        return builder().start();
    }

    /** {@return a builder for an emulator with non-default account, region, clock or port} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The endpoint to give an SDK client ({@code endpointOverride}) or {@code AWS_ENDPOINT_URL_STS}.
     *
     * @return the emulator's {@code http://} loopback URI
     */
    public URI endpoint() {
        return endpoint;
    }

    /** {@return the 12-digit account roles are created in by default} */
    public String accountId() {
        return accountId;
    }

    /** {@return the region signatures must be scoped to} */
    public String region() {
        return region;
    }

    /**
     * Registers an IAM OIDC identity provider for this issuer with the given client IDs (audiences).
     * Returns its ARN, {@code arn:aws:iam::<account>:oidc-provider/<host and path>}.
     *
     * @param issuer the OIDC issuer URL
     * @param clientIds the accepted audiences; {@code sts.amazonaws.com} when none are given
     * @return the provider's ARN
     */
    public String registerOidcProvider(URI issuer, String... clientIds) {
        String hostPath = hostAndPath(issuer);
        oidcProviders.put(hostPath, List.of(clientIds.length == 0 ? new String[] {ServiceAccountTokenBuilder.STS_AUDIENCE} : clientIds));
        return providerArn(hostPath);
    }

    /**
     * Deletes an OIDC provider: tokens of that issuer are refused again.
     *
     * @param issuer the OIDC issuer URL
     */
    public void removeOidcProvider(URI issuer) {
        oidcProviders.remove(hostAndPath(issuer));
    }

    /**
     * Creates (or replaces) a role in this account with a one-hour maximum session; returns its ARN.
     *
     * @param name the role's name
     * @param trustPolicyJson the trust policy document
     * @return the role's ARN
     * @throws IllegalArgumentException if the policy is malformed
     */
    public String createRole(String name, String trustPolicyJson) {
        return createRole(accountId, name, trustPolicyJson, Duration.ofHours(1));
    }

    /**
     * Creates (or replaces) a role in any account (for cross-account chaining) with the given maximum session
     * duration (3600–43200 s in IAM). Throws {@link IllegalArgumentException} for a malformed policy.
     *
     * @param account the 12-digit account
     * @param name the role's name
     * @param trustPolicyJson the trust policy document
     * @param maxSessionDuration the role's maximum session duration
     * @return the role's ARN
     */
    public String createRole(String account, String name, String trustPolicyJson, Duration maxSessionDuration) {
        TrustPolicy policy = TrustPolicy.parse(trustPolicyJson);
        String arn = "arn:aws:iam::" + account + ":role/" + name;
        String roleId = "AROA" + randomId(17);
        roles.put(arn, new Role(arn, name, roleId, policy, maxSessionDuration));
        return arn;
    }

    /**
     * Deletes a role.
     *
     * @param roleArn the role's ARN
     */
    public void deleteRole(String roleArn) {
        roles.remove(roleArn);
    }

    /**
     * Issues credentials with this lifetime instead of {@code DurationSeconds} (which is still validated),
     * so refresh tests need not wait 15 minutes; {@code null} restores STS behaviour.
     *
     * @param lifetime the lifetime of issued credentials, or null
     */
    public void credentialLifetime(Duration lifetime) {
        this.credentialLifetime = lifetime;
    }

    /** {@return the fault injection controls} */
    public Faults faults() {
        return faults;
    }

    /** {@return the log of requests received} */
    public CallLog calls() {
        return calls;
    }

    /**
     * The ARN of the assumed-role session these credentials belong to, if this emulator issued them.
     *
     * @param accessKeyId the credentials' access key ID
     * @return the assumed-role ARN, or empty when this emulator did not issue (or no longer tracks) them
     */
    public Optional<String> assumedRoleArnOf(String accessKeyId) {
        return Optional.ofNullable(sessions.get(accessKeyId)).map(Session::assumedRoleArn);
    }

    /**
     * The credentials this emulator issued under {@code accessKeyId}, while it tracks them (expired ones are
     * forgotten an hour after expiry): what a verifier of requests signed with them, such as
     * {@link dev.irsa.testkit.rds.RdsAuthTokenVerifier}, checks signatures and session tokens against.
     *
     * @param accessKeyId an access key ID
     * @return the issued credentials, or empty when this emulator did not issue (or no longer tracks) them
     * @since 0.1.0
     */
    public Optional<IssuedCredentials> issuedCredentials(String accessKeyId) {
        Session s = accessKeyId == null ? null : sessions.get(accessKeyId);
        return s == null ? Optional.empty() : Optional.of(new IssuedCredentials(s.issued().accessKeyId(),
                s.issued().secretAccessKey(), s.issued().sessionToken(), s.issued().expiration(), s.assumedRoleArn(),
                s.accountId()));
    }

    /** {@return the clock this emulator issues and checks credentials by} */
    public Clock clock() {
        return clock;
    }

    /**
     * Issues credentials for {@code roleArn} as EKS Auth's {@code AssumeRoleForPodIdentity} does for a Pod Identity
     * association (the role need not have been created here): {@code GetCallerIdentity} accepts them until they
     * expire, and names the assumed role {@code arn:aws:sts::<account>:assumed-role/<role>/<sessionName>}.
     *
     * @param roleArn the role's ARN
     * @param sessionName the role session name
     * @param lifetime how long the credentials are valid
     * @return the issued credentials
     * @throws IllegalArgumentException if {@code roleArn} is not a role ARN
     */
    public IssuedCredentials issueFor(String roleArn, String sessionName, Duration lifetime) {
        Matcher m = ROLE_ARN.matcher(Objects.requireNonNull(roleArn, "roleArn"));
        if (!m.matches()) {
            throw new IllegalArgumentException("Not a role ARN: " + roleArn);
        }
        Role role = roles.getOrDefault(roleArn, new Role(roleArn, m.group(4), "AROA" + randomId(17), null, lifetime));
        Session s = issue(role, sessionName, lifetime);
        return new IssuedCredentials(s.issued().accessKeyId(), s.issued().secretAccessKey(), s.issued().sessionToken(),
                s.issued().expiration(), s.assumedRoleArn(), s.accountId());
    }

    /**
     * How many credential sets were issued and are still tracked.
     *
     * @return the number of tracked credential sets
     */
    public int issuedSessions() {
        return sessions.size();
    }

    @Override
    public void close() {
        http.stop();
    }

    // ----------------------------------------------------------------------------------------------------------

    private void handle(HttpExchange ex) throws IOException {
        Instant started = Instant.now();
        String requestId = UUID.randomUUID().toString();
        String action = null;
        Map<String, String> params = Map.of();
        try {
            byte[] body = readAll(ex.getRequestBody());
            String raw = "POST".equalsIgnoreCase(ex.getRequestMethod())
                    ? new String(body, StandardCharsets.UTF_8) : ex.getRequestURI().getRawQuery();
            params = FormData.parse(raw);
            action = params.get("Action");
            Faults.Planned planned = faults.next(action);
            if (planned.latency.compareTo(Duration.ZERO) > 0) {
                sleep(planned.latency);
            }
            if (planned.fault == Fault.CONNECTION_RESET) {
                calls.record(new StsCall(started, action, Fault.CONNECTION_RESET.outcome(), 0, params.get("RoleArn"),
                        params.get("RoleSessionName"), Duration.between(started, Instant.now()), StsCall.fingerprint(params.get("WebIdentityToken"))));
                return;
            }
            if (planned.fault != null && planned.fault.rawOutcome != null) {
                calls.record(new StsCall(started, action, planned.fault.outcome(), planned.fault.status,
                        params.get("RoleArn"), params.get("RoleSessionName"), Duration.between(started, Instant.now()),
                        StsCall.fingerprint(params.get("WebIdentityToken"))));
                notAnStsAnswer(ex, planned.fault, action);
                return;
            }
            if (planned.fault != null) {
                throw new StsException(planned.fault.status, planned.fault.type, planned.fault.code, planned.fault.message);
            }
            if (!"POST".equalsIgnoreCase(ex.getRequestMethod()) && !"GET".equalsIgnoreCase(ex.getRequestMethod())) {
                throw StsException.sender(405, "InvalidAction", "Only POST and GET are supported.");
            }
            if (action == null) {
                throw StsException.sender(400, "MissingAction", "Missing Action");
            }
            if (!VERSION.equals(params.get("Version"))) {
                throw StsException.sender(400, "InvalidAction", "Could not find operation " + action + " for version "
                        + params.get("Version"));
            }
            SigV4Verifier.Request incoming = new SigV4Verifier.Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                    ex.getRequestURI().getRawQuery(), lowerCaseHeaders(ex), body);
            String xml = switch (action) {
                case "AssumeRoleWithWebIdentity" -> assumeRoleWithWebIdentity(params, requestId);
                case "AssumeRole" -> assumeRole(params, incoming, requestId);
                case "GetCallerIdentity" -> getCallerIdentity(incoming, requestId);
                default -> throw StsException.sender(400, "InvalidAction", "Could not find operation " + action
                        + " for version " + VERSION);
            };
            // Recorded before answering so a client that got its answer always finds its call in the log.
            calls.record(new StsCall(started, action, "Success", 200, params.get("RoleArn"), params.get("RoleSessionName"),
                    Duration.between(started, Instant.now()), StsCall.fingerprint(params.get("WebIdentityToken"))));
            respond(ex, 200, requestId, xml);
        } catch (StsException e) {
            Xml err = new Xml().openRoot("ErrorResponse").open("Error")
                    .element("Type", e.type()).element("Code", e.code()).element("Message", e.getMessage())
                    .close("Error").element("RequestId", requestId).close("ErrorResponse");
            calls.record(new StsCall(started, action, e.code(), e.status(), params.get("RoleArn"),
                    params.get("RoleSessionName"), Duration.between(started, Instant.now()), StsCall.fingerprint(params.get("WebIdentityToken"))));
            respond(ex, e.status(), requestId, err.toString());
            log.debug("{} {} -> {} {}", requestId, action, e.status(), e.code());
        } catch (RuntimeException e) {
            log.warn("STS emulator failed on {}", action, e);
            calls.record(new StsCall(started, action, "InternalFailure", 500, null, null, Duration.between(started, Instant.now()), null));
            respond(ex, 500, requestId, new Xml().openRoot("ErrorResponse").open("Error").element("Type", "Receiver")
                    .element("Code", "InternalFailure").element("Message", "Emulator error: " + e.getClass().getSimpleName())
                    .close("Error").element("RequestId", requestId).close("ErrorResponse").toString());
        } finally {
            // Also what drops the connection for CONNECTION_RESET: closing an exchange that sent no headers.
            ex.close();
        }
    }

    private String assumeRoleWithWebIdentity(Map<String, String> p, String requestId) {
        validate(p, true);
        String token = p.get("WebIdentityToken");
        JWT jwt = IdentityTokenVerifier.parse(token);
        String iss;
        List<String> audiences;
        String sub;
        try {
            JWTClaimsSet unverified = jwt.getJWTClaimsSet();
            iss = unverified.getIssuer();
            audiences = unverified.getAudience();
            sub = unverified.getSubject();
        } catch (ParseException e) {
            throw StsException.sender(400, "InvalidIdentityToken", "The web identity token's claims are not valid JSON.");
        }
        if (iss == null) {
            throw StsException.sender(400, "InvalidIdentityToken", "The web identity token has no iss claim.");
        }
        String hostPath = hostAndPath(URI.create(iss));
        List<String> clientIds = oidcProviders.get(hostPath);
        if (clientIds == null) {
            throw StsException.sender(400, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for " + iss);
        }
        String aud = audiences.stream().filter(clientIds::contains).findFirst().orElse(null);
        if (aud == null) {
            throw StsException.sender(400, "InvalidIdentityToken", "Incorrect token audience");
        }
        tokenVerifier.verify(jwt, iss);
        if (sub == null || sub.isEmpty()) {
            throw StsException.sender(403, "IDPRejectedClaim", "The web identity token has no sub claim.");
        }
        Role role = roles.get(p.get("RoleArn"));
        if (role == null) {
            throw StsException.accessDenied("sts:AssumeRoleWithWebIdentity");
        }
        TrustPolicy.Decision decision = role.trustPolicy().evaluate(TrustPolicy.Request.webIdentity(
                role.arn().split(":")[4], hostPath, sub, aud));
        if (!decision.allowed()) {
            log.debug("trust policy of {} denies {}: {}", role.arn(), sub, decision.reasons());
            throw StsException.accessDenied("sts:AssumeRoleWithWebIdentity");
        }
        Duration duration = requestedDuration(p, role, false);
        Integer packed = packedPolicySize(p);
        Session s = issue(role, p.get("RoleSessionName"), duration);
        Xml x = new Xml().openRoot("AssumeRoleWithWebIdentityResponse").open("AssumeRoleWithWebIdentityResult")
                .element("SubjectFromWebIdentityToken", sub)
                .element("Audience", aud);
        assumedRoleUser(x, s);
        credentials(x, s);
        x.element("Provider", providerArn(hostPath, role.arn().split(":")[4]))
                .element("PackedPolicySize", packed)
                .close("AssumeRoleWithWebIdentityResult");
        return metadata(x, requestId).close("AssumeRoleWithWebIdentityResponse").toString();
    }

    private String assumeRole(Map<String, String> p, SigV4Verifier.Request req, String requestId) {
        Session caller = authenticate(req);
        validate(p, false);
        String externalId = p.get("ExternalId");
        if (externalId != null && (externalId.length() < 2 || externalId.length() > 1224 || !EXTERNAL_ID.matcher(externalId).matches())) {
            throw StsException.validation("1 validation error detected: Value at 'externalId' failed to satisfy"
                    + " constraint: Member must have length between 2 and 1224 and match [\\w+=,.@:/-]*");
        }
        Role role = roles.get(p.get("RoleArn"));
        if (role == null) {
            throw accessDeniedAssumeRole(caller, p.get("RoleArn"));
        }
        Map<String, List<String>> ctx = new LinkedHashMap<>();
        if (externalId != null) {
            ctx.put("sts:ExternalId", List.of(externalId));
        }
        TrustPolicy.Decision decision = role.trustPolicy().evaluate(new TrustPolicy.Request("AWS", caller.roleArn(),
                "sts:AssumeRole", ctx));
        if (!decision.allowed()) {
            log.debug("trust policy of {} denies {}: {}", role.arn(), caller.roleArn(), decision.reasons());
            throw accessDeniedAssumeRole(caller, role.arn());
        }
        Duration duration = requestedDuration(p, role, true);
        Integer packed = packedPolicySize(p);
        Session s = issue(role, p.get("RoleSessionName"), duration);
        Xml x = new Xml().openRoot("AssumeRoleResponse").open("AssumeRoleResult");
        assumedRoleUser(x, s);
        credentials(x, s);
        x.element("PackedPolicySize", packed).close("AssumeRoleResult");
        return metadata(x, requestId).close("AssumeRoleResponse").toString();
    }

    private StsException accessDeniedAssumeRole(Session caller, String target) {
        return StsException.sender(403, "AccessDenied", "User: " + caller.assumedRoleArn()
                + " is not authorized to perform: sts:AssumeRole on resource: " + target);
    }

    private String getCallerIdentity(SigV4Verifier.Request req, String requestId) {
        Session s = authenticate(req);
        Xml x = new Xml().openRoot("GetCallerIdentityResponse").open("GetCallerIdentityResult")
                .element("Arn", s.assumedRoleArn()).element("UserId", s.assumedRoleId()).element("Account", s.accountId())
                .close("GetCallerIdentityResult");
        return metadata(x, requestId).close("GetCallerIdentityResponse").toString();
    }

    /**
     * Checks a SigV4-signed request as STS does and returns the session whose credentials signed it. The order
     * of the checks decides which error a client sees when several apply, so it follows STS: a missing or
     * malformed signature, then an unknown key, a wrong session token, expired credentials, and only then the
     * signature's time, scope and value.
     */
    private Session authenticate(SigV4Verifier.Request req) {
        Instant now = clock.instant();
        SigV4Verifier.Result r = SigV4Verifier.verify(req, akid -> {
            Session s = sessions.get(akid);
            return s == null ? null : s.issued().secretAccessKey();
        }, now);
        if (r.failure() == SigV4Verifier.Failure.MISSING_AUTHENTICATION) {
            throw StsException.sender(403, "MissingAuthenticationToken", r.message());
        }
        if (r.failure() == SigV4Verifier.Failure.UNSUPPORTED_ALGORITHM || r.failure() == SigV4Verifier.Failure.INCOMPLETE_SIGNATURE) {
            throw StsException.sender(400, "IncompleteSignature", r.message());
        }
        Session s = r.accessKeyId() == null ? null : sessions.get(r.accessKeyId());
        if (s == null) {
            throw StsException.sender(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
        }
        String token = r.securityToken();
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                s.issued().sessionToken().getBytes(StandardCharsets.UTF_8))) {
            throw StsException.sender(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
        }
        if (!now.isBefore(s.issued().expiration())) {
            throw StsException.sender(403, "ExpiredToken", "The security token included in the request is expired");
        }
        if (!r.valid()) {
            // Expired or future signatures, scope dates and wrong signatures are all SignatureDoesNotMatch in STS.
            throw StsException.sender(403, "SignatureDoesNotMatch", r.message());
        }
        if (!region.equals(r.region())) {
            throw StsException.sender(403, "SignatureDoesNotMatch", "Credential should be scoped to a valid region. ");
        }
        if (!"sts".equals(r.service())) {
            throw StsException.sender(403, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'sts'. ");
        }
        return s;
    }

    private void validate(Map<String, String> p, boolean webIdentity) {
        List<String> errors = new ArrayList<>();
        String roleArn = p.get("RoleArn");
        if (roleArn == null) {
            errors.add("Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
        } else if (roleArn.length() < 20 || roleArn.length() > 2048) {
            errors.add("Value '" + roleArn + "' at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048");
        }
        String session = p.get("RoleSessionName");
        if (session == null) {
            errors.add("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
        } else {
            if (session.length() < 2 || session.length() > 64) {
                errors.add("Value '" + session + "' at 'roleSessionName' failed to satisfy constraint: Member must have"
                        + " length " + (session.length() < 2 ? "greater than or equal to 2" : "less than or equal to 64"));
            }
            if (!SESSION_NAME.matcher(session).matches()) {
                errors.add("Value '" + session + "' at 'roleSessionName' failed to satisfy constraint: Member must"
                        + " satisfy regular expression pattern: [\\w+=,.@-]*");
            }
        }
        if (webIdentity) {
            String token = p.get("WebIdentityToken");
            if (token == null) {
                errors.add("Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null");
            } else if (token.length() < 4 || token.length() > 20000) {
                // Never echo the token back.
                errors.add("Value at 'webIdentityToken' failed to satisfy constraint: Member must have length between 4 and 20000");
            }
        }
        String duration = p.get("DurationSeconds");
        if (duration != null) {
            try {
                long d = Long.parseLong(duration);
                if (d < 900 || d > 43200) {
                    errors.add("Value '" + duration + "' at 'durationSeconds' failed to satisfy constraint: Member must have"
                            + " value " + (d < 900 ? "greater than or equal to 900" : "less than or equal to 43200"));
                }
            } catch (NumberFormatException e) {
                errors.add("Value '" + duration + "' at 'durationSeconds' failed to satisfy constraint: Member must be an integer");
            }
        }
        String policy = p.get("Policy");
        if (policy != null) {
            if (policy.isEmpty() || policy.length() > 2048) {
                errors.add("Value at 'policy' failed to satisfy constraint: Member must have length between 1 and 2048");
            } else if (!policy.chars().allMatch(c -> c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xFF))) {
                errors.add("Value at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern:"
                        + " [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");
            }
        }
        List<String> arns = policyArns(p);
        if (arns.size() > 10) {
            errors.add("Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10");
        }
        for (String a : arns) {
            if (a.length() < 20 || a.length() > 2048) {
                errors.add("Value '" + a + "' at 'policyArns.member.arn' failed to satisfy constraint: Member must have"
                        + " length between 20 and 2048");
            }
        }
        if (!errors.isEmpty()) {
            throw StsException.validation(errors.size() + " validation error" + (errors.size() > 1 ? "s" : "")
                    + " detected: " + String.join("; ", errors));
        }
        if (!ROLE_ARN.matcher(roleArn).matches()) {
            throw StsException.validation("Request ARN is invalid");
        }
        if (policy != null) {
            try {
                Map<String, Object> doc = JSONObjectUtils.parse(policy);
                if (!doc.containsKey("Statement")) {
                    throw StsException.sender(400, "MalformedPolicyDocument", "Syntax errors in policy: missing Statement.");
                }
            } catch (ParseException e) {
                throw StsException.sender(400, "MalformedPolicyDocument", "Syntax errors in policy.");
            }
        }
    }

    private static List<String> policyArns(Map<String, String> p) {
        List<String> out = new ArrayList<>();
        for (int i = 1; p.containsKey("PolicyArns.member." + i + ".arn"); i++) {
            out.add(p.get("PolicyArns.member." + i + ".arn"));
        }
        return out;
    }

    /**
     * STS packs the session policy and managed-policy ARNs into a binary form with its own limit. The emulator
     * approximates the packing with DEFLATE and reports the size as a percentage of a 1 KiB allowance.
     */
    private static Integer packedPolicySize(Map<String, String> p) {
        String policy = p.get("Policy");
        List<String> arns = policyArns(p);
        if (policy == null && arns.isEmpty()) {
            return null;
        }
        String packedInput = (policy == null ? "" : policy.replaceAll("\\s+", "")) + String.join(",", arns);
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
        d.setInput(packedInput.getBytes(StandardCharsets.ISO_8859_1));
        d.finish();
        byte[] buf = new byte[8192];
        int n = d.deflate(buf);
        d.end();
        int percent = (int) Math.ceil(n * 100.0 / PACKED_POLICY_LIMIT_BYTES);
        if (percent > 100) {
            throw StsException.sender(400, "PackedPolicyTooLarge", "Packed policy consumes " + percent
                    + "% of allotted space, please use smaller policy.");
        }
        return percent;
    }

    private Duration requestedDuration(Map<String, String> p, Role role, boolean chained) {
        Duration d = p.get("DurationSeconds") == null ? Duration.ofHours(1) : Duration.ofSeconds(Long.parseLong(p.get("DurationSeconds")));
        if (chained && d.compareTo(Duration.ofHours(1)) > 0) {
            throw StsException.validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
        }
        if (d.compareTo(role.maxSessionDuration()) > 0) {
            throw StsException.validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }
        return d;
    }

    private Session issue(Role role, String sessionName, Duration duration) {
        Duration lifetime = credentialLifetime != null ? credentialLifetime : duration;
        Instant expiration = clock.instant().plus(lifetime).truncatedTo(ChronoUnit.SECONDS);
        String akid = "ASIA" + randomId(16);
        byte[] secret = new byte[30];
        random.nextBytes(secret);
        byte[] token = new byte[240];
        random.nextBytes(token);
        String account = role.arn().split(":")[4];
        Session s = new Session(
                new Issued(akid, Base64.getEncoder().encodeToString(secret),
                        "IQoJb3JpZ2luX2VjE" + Base64.getEncoder().encodeToString(token), expiration),
                "arn:aws:sts::" + account + ":assumed-role/" + role.name() + "/" + sessionName,
                role.roleId() + ":" + sessionName, role.arn(), account);
        sessions.put(akid, s);
        sessions.values().removeIf(old -> old.issued().expiration().isBefore(clock.instant().minus(Duration.ofHours(1))));
        return s;
    }

    private static void assumedRoleUser(Xml x, Session s) {
        x.open("AssumedRoleUser").element("Arn", s.assumedRoleArn()).element("AssumedRoleId", s.assumedRoleId())
                .close("AssumedRoleUser");
    }

    private static void credentials(Xml x, Session s) {
        x.open("Credentials")
                .element("AccessKeyId", s.issued().accessKeyId())
                .element("SecretAccessKey", s.issued().secretAccessKey())
                .element("SessionToken", s.issued().sessionToken())
                .element("Expiration", DateTimeFormatter.ISO_INSTANT.format(s.issued().expiration()))
                .close("Credentials");
    }

    private static Xml metadata(Xml x, String requestId) {
        return x.open("ResponseMetadata").element("RequestId", requestId).close("ResponseMetadata");
    }

    private String providerArn(String hostPath) {
        return providerArn(hostPath, accountId);
    }

    private static String providerArn(String hostPath, String account) {
        return "arn:aws:iam::" + account + ":oidc-provider/" + hostPath;
    }

    private static String hostAndPath(URI issuer) {
        String path = issuer.getPath() == null ? "" : issuer.getPath().replaceAll("/+$", "");
        return issuer.getAuthority() + path;
    }

    private String randomId(int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = ALNUM[random.nextInt(ALNUM.length)];
        }
        return new String(c);
    }

    private static Map<String, List<String>> lowerCaseHeaders(HttpExchange ex) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), v));
        return out;
    }

    private void respond(HttpExchange ex, int status, String requestId, String xml) throws IOException {
        byte[] body = xml.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/xml");
        ex.getResponseHeaders().set("x-amzn-RequestId", requestId);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            writeBody(out, body, faults.dripFeed);
        }
    }

    /**
     * The body at once, or (drip feed) one byte per interval after the headers, flushed each time: every read the
     * client makes returns within the interval, so only a deadline over the whole answer ends it. Stops when the
     * client hangs up or the emulator closes.
     */
    static void writeBody(OutputStream out, byte[] body, Duration perByte) throws IOException {
        if (perByte.isZero()) {
            out.write(body);
            return;
        }
        out.flush(); // the status line and headers now, as a slow middlebox passes them on
        try {
            for (byte b : body) {
                Thread.sleep(perByte.toMillis(), perByte.toNanosPart() % 1_000_000);
                out.write(b);
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the emulator is closing
            throw new java.io.InterruptedIOException("emulator closing");
        }
    }

    /**
     * Total body bytes the emulator managed to send for faults whose answer is not an STS document.
     *
     * @return the byte count
     */
    public long rawFaultBytesSent() {
        return rawFaultBytesSent.get();
    }

    /** Answers as a proxy, load balancer or middlebox would: a body that is not an STS document. */
    private void notAnStsAnswer(HttpExchange ex, Fault fault, String action) throws IOException {
        if (fault.contentType != null) {
            ex.getResponseHeaders().set("Content-Type", fault.contentType + "; charset=utf-8");
        }
        String op = action == null ? "AssumeRoleWithWebIdentity" : action;
        byte[] body = switch (fault) {
            case HTML_503 -> ("<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>\n<body>\n"
                    + "<h1>503 Service Temporarily Unavailable</h1>\n<p>The proxy could not connect to the upstream"
                    + " server.</p>\n<hr><center>squid/6.10</center>\n</body></html>\n").getBytes(StandardCharsets.UTF_8);
            case EMPTY_502 -> new byte[0];
            // Cut inside the document, before any credential element: what a dropped connection leaves behind.
            case TRUNCATED_XML -> ("<" + op + "Response xmlns=\"https://sts.amazonaws.com/doc/" + VERSION + "/\">\n  <"
                    + op + "Result>\n    <AssumedRoleUser>\n      <Arn>arn:aws:sts::" + accountId
                    + ":assumed-role/app-role/sess</Arn>\n      <AssumedRoleId>AROAEXAMPLE:se").getBytes(StandardCharsets.UTF_8);
            case GARBAGE_200 -> "OK\n{\"status\":\"healthy\",\"upstream\":\"sts\"}\n".getBytes(StandardCharsets.UTF_8);
            case HUGE_HTML_503, HUGE_200 -> null;
            default -> throw new IllegalStateException(fault.name());
        };
        try {
            if (body != null) {
                ex.sendResponseHeaders(fault.status, body.length == 0 ? -1 : body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
                rawFaultBytesSent.addAndGet(body.length);
                return;
            }
            ex.sendResponseHeaders(fault.status, 0); // chunked: no Content-Length to refuse it by
            String unit = fault == Fault.HUGE_200
                    ? "<Member><Name>padding</Name><Value>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</Value></Member>\n"
                    : "<p>upstream connect error or disconnect/reset before headers. retried and the latest reset reason: connection failure</p>\n";
            byte[] chunk = unit.repeat(65536 / unit.length()).getBytes(StandardCharsets.UTF_8);
            try (OutputStream out = ex.getResponseBody()) {
                byte[] head = (fault == Fault.HUGE_200 ? "<" + op + "Response xmlns=\"https://sts.amazonaws.com/doc/"
                        + VERSION + "/\"><" + op + "Result>\n" : "<html><body>\n").getBytes(StandardCharsets.UTF_8);
                out.write(head);
                long sent = head.length;
                while (sent < Fault.HUGE_BODY_BYTES) {
                    out.write(chunk);
                    sent += chunk.length;
                    rawFaultBytesSent.addAndGet(chunk.length);
                }
            }
        } catch (IOException e) {
            // The client hung up early: for the huge bodies, exactly what it should do.
            log.debug("client closed the connection during {} ({})", fault, e.toString());
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Faults to inject: a latency added to every request, failures for the next N requests, or a failure for
     * every request until {@link #clear() cleared} (an outage). Optionally limited to one action. Thread-safe.
     */
    public static final class Faults {
        /** Creates fault controls with no faults and no latency; an emulator's own are {@link StsEmulator#faults()}. */
        public Faults() {
        }

        private final Deque<Fault> next = new ArrayDeque<>();
        private volatile Duration latency = Duration.ZERO;
        private volatile Duration dripFeed = Duration.ZERO;
        private volatile Fault always;
        private volatile String onlyAction;

        private record Planned(Fault fault, Duration latency) {
        }

        /**
         * Adds this latency before every answer (and before every injected fault).
         *
         * @param latency the delay
         * @return these controls
         */
        public Faults latency(Duration latency) {
            this.latency = Objects.requireNonNull(latency);
            return this;
        }

        /**
         * Sends every answer (STS documents, successes and errors) as a slow middlebox would: the status line and
         * headers at once, then the body one byte per {@code perByte}. Each read a client makes returns within
         * {@code perByte}, so a per-read timeout longer than that never fires: only a deadline over the whole
         * answer ends the call. A client that hangs up stops the drip. Like {@link #latency(Duration)} it applies
         * to every action; {@link Duration#ZERO} (the default) turns it off.
         *
         * @param perByte the pause before each byte of the body
         * @return these controls
         * @throws IllegalArgumentException if {@code perByte} is negative
         */
        public Faults dripFeed(Duration perByte) {
            if (Objects.requireNonNull(perByte, "perByte").isNegative()) {
                throw new IllegalArgumentException("perByte must be zero or positive, not " + perByte);
            }
            this.dripFeed = perByte;
            return this;
        }

        /**
         * The next {@code n} requests fail with {@code fault}, then service resumes.
         *
         * @param n how many requests fail
         * @param fault how they fail
         * @return these controls
         */
        public synchronized Faults failNext(int n, Fault fault) {
            for (int i = 0; i < n; i++) {
                next.add(fault);
            }
            return this;
        }

        /**
         * Every request fails with {@code fault} until {@link #clear()}: an outage.
         *
         * @param fault how requests fail
         * @return these controls
         */
        public Faults failAlways(Fault fault) {
            this.always = fault;
            return this;
        }

        /**
         * Limits failures (not latency) to one action, e.g. {@code AssumeRoleWithWebIdentity}; null for all.
         *
         * @param action the STS action, or null for all
         * @return these controls
         */
        public Faults onlyFor(String action) {
            this.onlyAction = action;
            return this;
        }

        /** Removes every fault, the latency and the drip feed. */
        public synchronized void clear() {
            next.clear();
            always = null;
            latency = Duration.ZERO;
            dripFeed = Duration.ZERO;
            onlyAction = null;
        }

        synchronized Planned next(String action) {
            Fault f = null;
            if (onlyAction == null || onlyAction.equals(action)) {
                f = next.poll();
                if (f == null) {
                    f = always;
                }
            }
            return new Planned(f, latency);
        }
    }

    /** Every request the emulator received, in order, with counts by action and outcome. Thread-safe. */
    public static final class CallLog {
        /** Creates an empty call log; an emulator's own is {@link StsEmulator#calls()}. */
        public CallLog() {
        }

        private final CopyOnWriteArrayList<StsCall> calls = new CopyOnWriteArrayList<>();

        void record(StsCall call) {
            calls.add(call);
        }

        /** {@return every request received so far, oldest first} */
        public List<StsCall> all() {
            return List.copyOf(calls);
        }

        /**
         * Counts requests for an action.
         *
         * @param action the STS action, e.g. {@code AssumeRoleWithWebIdentity}
         * @return how many requests for {@code action} were received
         */
        public long count(String action) {
            return calls.stream().filter(c -> Objects.equals(action, c.action())).count();
        }

        /**
         * Counts requests for an action that had an outcome.
         *
         * @param action the STS action
         * @param outcome {@code Success}, an STS error code, or {@code ConnectionReset}
         * @return how many such requests were received
         */
        public long count(String action, String outcome) {
            return calls.stream().filter(c -> Objects.equals(action, c.action()) && outcome.equals(c.outcome())).count();
        }

        /**
         * Counts requests for an action by outcome.
         *
         * @param action the STS action
         * @return outcome to count, in the order outcomes first occurred
         */
        public Map<String, Long> countsByOutcome(String action) {
            Map<String, Long> out = new LinkedHashMap<>();
            calls.stream().filter(c -> Objects.equals(action, c.action())).forEach(c -> out.merge(c.outcome(), 1L, Long::sum));
            return out;
        }

        /** Forgets the requests received so far. */
        public void clear() {
            calls.clear();
        }

        /**
         * The number of calls and, per action, the count of each outcome, e.g.
         * {@code CallLog[2 calls: AssumeRoleWithWebIdentity {Throttling=1, Success=1}]}: what a failed assertion on
         * the log should show. No token, fingerprint, role or secret.
         */
        @Override
        public String toString() {
            List<StsCall> snapshot = all();
            if (snapshot.isEmpty()) {
                return "CallLog[no calls]";
            }
            Map<String, Map<String, Long>> byAction = new LinkedHashMap<>();
            snapshot.forEach(c -> byAction.computeIfAbsent(String.valueOf(c.action()), a -> new LinkedHashMap<>())
                    .merge(c.outcome(), 1L, Long::sum));
            java.util.StringJoiner actions = new java.util.StringJoiner(", ", "CallLog[" + snapshot.size()
                    + (snapshot.size() == 1 ? " call: " : " calls: "), "]");
            byAction.forEach((action, outcomes) -> actions.add(action + " " + outcomes));
            return actions.toString();
        }
    }

    /** Configures a {@link StsEmulator}. */
    public static final class Builder {
        /** Creates a builder holding the defaults, as {@link StsEmulator#builder()} does. */
        public Builder() {
        }

        private String accountId = "111122223333";
        private String region = "us-west-2";
        private Clock clock = Clock.systemUTC();
        private int port;
        private Duration credentialLifetime;
        private Duration tokenClockSkew = Duration.ofSeconds(30);

        /**
         * The account roles are created in by default (default {@code 111122223333}).
         *
         * @param accountId 12 digits
         * @return this builder
         * @throws IllegalArgumentException if {@code accountId} is not 12 digits
         */
        public Builder accountId(String accountId) {
            if (!accountId.matches("\\d{12}")) {
                throw new IllegalArgumentException("An AWS account ID is 12 digits, not " + accountId);
            }
            this.accountId = accountId;
            return this;
        }

        /**
         * The region signatures must be scoped to (default us-west-2).
         *
         * @param region the region
         * @return this builder
         */
        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /**
         * The clock used for token validity and credential expiry (default system UTC).
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * The port to listen on (default 0: an ephemeral port).
         *
         * @param port the port, or 0
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * See {@link StsEmulator#credentialLifetime(Duration)}.
         *
         * @param lifetime the lifetime of issued credentials, or null
         * @return this builder
         */
        public Builder credentialLifetime(Duration lifetime) {
            this.credentialLifetime = lifetime;
            return this;
        }

        /**
         * Tolerance on the token's {@code exp}, {@code nbf} and {@code iat} (default 30 s).
         *
         * @param skew the tolerance
         * @return this builder
         */
        public Builder tokenClockSkew(Duration skew) {
            this.tokenClockSkew = skew;
            return this;
        }

        /** {@return a running emulator; close it to stop it} */
        public StsEmulator start() {
            return new StsEmulator(this);
        }
    }
}
