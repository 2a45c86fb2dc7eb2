package dev.irsa.testkit.kafka;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.irsa.testkit.IssuedCredentials;
import dev.irsa.testkit.StsEmulator;
import dev.irsa.testkit.internal.SigV4Verifier;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The broker side of Amazon MSK IAM authentication, for testing Kafka clients against an in-JVM broker: it checks
 * what a client sends as MSK does, against the credentials an {@link StsEmulator} issued.
 *
 * <p>Both mechanisms MSK accepts:
 * <ul>
 *   <li>{@code AWS_MSK_IAM}: the JSON payload of AWS's {@code aws-msk-iam-auth} client (version {@code 2020_10_22}),
 *       a SigV4 query-string signature of {@code GET https://<broker host>/?Action=kafka-cluster%3AConnect}.</li>
 *   <li>{@code OAUTHBEARER}: the token is the base64url (unpadded) form of a presigned URL
 *       {@code https://kafka.<region>.amazonaws.com/?Action=kafka-cluster%3AConnect&...&User-Agent=...}, the
 *       {@code User-Agent} parameter outside the signature.</li>
 * </ul>
 * Each is accepted only when: the action is {@code kafka-cluster:Connect}; the signed host is the broker's (for
 * {@code AWS_MSK_IAM}, the host name of the broker's local address as the JVM resolves it, which is what Kafka hands
 * the SASL server ({@code serverAddress().getHostName()}) and can differ from the name the client connected to: see
 * {@link Builder#acceptHost(String)}; for {@code OAUTHBEARER},
 * {@code kafka.<region>.amazonaws.com}); the scope is service {@code kafka-cluster} in the configured region; the
 * signature verifies (by the SigV4 specification, not by re-signing with an SDK) with the secret the emulator issued
 * for the access key; the security token is the one issued with it; the credentials have not expired; the signature
 * is not older than its {@code X-Amz-Expires} (at most 900 s) nor more than 15 minutes in the future.
 *
 * <p>It accepts exactly what MSK accepts, no more; it refuses (each case proven by {@code MskIamAuthenticatorTest}):
 * a signature over {@code UNSIGNED-PAYLOAD} (aws-msk-iam-auth and every other MSK signer sign the SHA-256 of the
 * empty body, and MSK checks that); a signature by another secret; an access key the emulator did not issue; a
 * missing or other session token; expired credentials; another action, host, region or service; a payload version
 * other than {@code 2020_10_22}; an algorithm other than {@code AWS4-HMAC-SHA256}; signed headers without
 * {@code host}; {@code X-Amz-Expires} above 900 or below 1; any {@code X-Amz-*} parameter named twice; a token URL
 * other than {@code https://kafka.<region>.amazonaws.com/}.
 *
 * <p>The session lifetime it grants (which the broker announces, and after which the client must re-authenticate)
 * never outlives the credentials: for {@code AWS_MSK_IAM} it is their expiry, as MSK bounds it; for
 * {@code OAUTHBEARER} the token's own expiry or the credentials', whichever is earlier. The principal is the
 * assumed-role ARN ({@code arn:aws:sts::<account>:assumed-role/<role>/<session name>}); a Kafka broker refuses a
 * re-authentication that changes it, as MSK does.
 *
 * <p>A broker finds its authenticator by {@link #id()} through {@link #brokerListenerConfig(String)}, so the broker
 * must run in this JVM. Every attempt is recorded in {@link #authentications()}. Messages never hold a secret, a
 * session token or a signature. Thread-safe; {@link #close()} unregisters it.
 *
 * <pre>{@code
 * MskIamAuthenticator iam = MskIamAuthenticator.forEmulator(env.sts());
 * brokerProperties.putAll(iam.brokerListenerConfig("SASL"));   // listener SASL://localhost:0 as SASL_PLAINTEXT
 * }</pre>
 * @since 0.1.0
 */
public final class MskIamAuthenticator implements AutoCloseable {
    /** The SASL mechanism of AWS's {@code aws-msk-iam-auth} library. */
    public static final String AWS_MSK_IAM = "AWS_MSK_IAM";
    /** The OAUTHBEARER mechanism, with MSK's presigned-URL tokens. */
    public static final String OAUTHBEARER = "OAUTHBEARER";
    /** The action every MSK IAM authentication signs. */
    public static final String CONNECT_ACTION = "kafka-cluster:Connect";
    /** The SigV4 service name MSK IAM signatures are scoped to. */
    public static final String SERVICE = "kafka-cluster";
    /** The longest {@code X-Amz-Expires} accepted: the 15 minutes AWS's clients sign for. */
    public static final Duration MAX_SIGNATURE_VALIDITY = Duration.ofMinutes(15);

    static final String JAAS_OPTION = "authenticator";
    private static final String PAYLOAD_VERSION = "2020_10_22";
    private static final Map<String, MskIamAuthenticator> REGISTRY = new ConcurrentHashMap<>();

    private final String id = "msk-iam-" + UUID.randomUUID();
    private final Function<String, Optional<IssuedCredentials>> credentials;
    private final String region;
    private final Clock clock;
    private final List<String> extraHosts;
    private final Duration minimumSession;
    private final List<Authentication> authentications = new CopyOnWriteArrayList<>();

    /**
     * One authentication attempt and its outcome.
     *
     * @param mechanism {@value #AWS_MSK_IAM} or {@value #OAUTHBEARER}
     * @param at when it was checked, by the authenticator's clock
     * @param accessKeyId the access key ID the client signed with, or null when the request did not get that far
     * @param principal the assumed-role ARN granted, or null when refused
     * @param credentialsExpiry when the credentials that signed expire, or null when unknown
     * @param sessionExpiry when the granted session ends (the client must re-authenticate by then), or null when
     *                      refused
     * @param failure why it was refused (no secret in it), or null when accepted
     */
    public record Authentication(String mechanism, Instant at, String accessKeyId, String principal,
                                 Instant credentialsExpiry, Instant sessionExpiry, String failure) {
        /** {@return whether the client was authenticated} */
        public boolean accepted() {
            return failure == null;
        }
    }

    private MskIamAuthenticator(Builder b) {
        this.credentials = Objects.requireNonNull(b.credentials, "credentials (builder.sts(...) or credentials(...))");
        this.region = Objects.requireNonNull(b.region, "region");
        this.clock = b.clock;
        this.extraHosts = List.copyOf(b.extraHosts);
        this.minimumSession = b.minimumSession;
        REGISTRY.put(id, this);
    }

    /**
     * An authenticator that accepts what {@code sts} issued, in its region and by its clock.
     *
     * @param sts the emulator whose credentials are accepted
     * @return a registered authenticator; close it when its broker stops
     */
    public static MskIamAuthenticator forEmulator(StsEmulator sts) {
        return builder().sts(sts).build();
    }

    /** {@return a builder for an authenticator with its own credential lookup, region or clock} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the name brokers find this authenticator by (in the JAAS option {@code authenticator})} */
    public String id() {
        return id;
    }

    /**
     * The broker properties that turn on both MSK IAM mechanisms on a {@code SASL_PLAINTEXT} or {@code SASL_SSL}
     * listener, checked by this authenticator: the listener's enabled mechanisms, and for each its JAAS login module
     * and server callback handler. Add the listener itself ({@code listeners}, {@code listener.security.protocol.map})
     * and a {@code connections.max.reauth.ms} above zero, or clients are never asked to re-authenticate.
     *
     * @param listenerName the listener's name, as in {@code listeners}
     * @return the properties to add to the broker's configuration
     */
    public Map<String, String> brokerListenerConfig(String listenerName) {
        String prefix = "listener.name." + listenerName.toLowerCase(Locale.ROOT) + ".";
        String option = JAAS_OPTION + "=\"" + id + "\"";
        Map<String, String> m = new LinkedHashMap<>();
        m.put(prefix + "sasl.enabled.mechanisms", AWS_MSK_IAM + "," + OAUTHBEARER);
        m.put(prefix + "aws_msk_iam.sasl.jaas.config", MskIamServerLoginModule.class.getName() + " required " + option + ";");
        m.put(prefix + "aws_msk_iam.sasl.server.callback.handler.class", MskIamServerCallbackHandler.class.getName());
        // The broker logs in with the OAUTHBEARER module too; an unsecured token is what a broker that never
        // authenticates to others with it needs.
        m.put(prefix + "oauthbearer.sasl.jaas.config", "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
                + " required unsecuredLoginStringClaim_sub=\"broker\" " + option + ";");
        m.put(prefix + "oauthbearer.sasl.server.callback.handler.class", MskOAuthBearerValidatorCallbackHandler.class.getName());
        return m;
    }

    /**
     * Checks an {@code AWS_MSK_IAM} authentication payload as MSK does, and records the attempt.
     *
     * @param payload the client's first SASL message (JSON)
     * @param brokerHost the broker's host name as its SASL server is told it (Kafka passes the host name of the
     *                   connection's local address, {@code serverAddress().getHostName()})
     * @return the outcome
     */
    public Authentication verifyIamPayload(byte[] payload, String brokerHost) {
        Instant now = clock.instant();
        Map<String, Object> json;
        try {
            json = JSONObjectUtils.parse(new String(payload, StandardCharsets.UTF_8));
        } catch (java.text.ParseException | RuntimeException e) {
            return record(refused(AWS_MSK_IAM, now, null, "The authentication payload is not a JSON object."));
        }
        Map<String, String> p = new LinkedHashMap<>();
        json.forEach((k, v) -> p.put(k.toLowerCase(Locale.ROOT), v == null ? null : v.toString()));
        if (!PAYLOAD_VERSION.equals(p.get("version"))) {
            return record(refused(AWS_MSK_IAM, now, null, "Unsupported payload version " + p.get("version")
                    + "; expected " + PAYLOAD_VERSION + "."));
        }
        String host = p.get("host");
        if (host == null || !(host.equalsIgnoreCase(brokerHost) || extraHosts.contains(host.toLowerCase(Locale.ROOT)))) {
            return record(refused(AWS_MSK_IAM, now, null, "The signed host '" + host + "' is not this broker ('"
                    + brokerHost + "')."));
        }
        // The payload carries the presigned query's parameters with lower-cased names; the signature covered them
        // with their real names, so the query is rebuilt as the client signed it.
        StringBuilder q = new StringBuilder("Action=").append(encode(nonNull(p.get("action"))));
        for (String name : List.of("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                "X-Amz-Security-Token", "X-Amz-SignedHeaders", "X-Amz-Signature")) {
            String v = p.get(name.toLowerCase(Locale.ROOT));
            if (v != null) {
                q.append('&').append(name).append('=').append(encode(v));
            }
        }
        return record(verifyPresigned(AWS_MSK_IAM, now, p.get("action"), host, q.toString()));
    }

    /**
     * Checks an MSK {@code OAUTHBEARER} token as MSK does, and records the attempt.
     *
     * @param token the token value the client sent
     * @return the outcome
     */
    public Authentication verifyOAuthBearerToken(String token) {
        Instant now = clock.instant();
        URI url;
        try {
            url = URI.create(new String(Base64.getUrlDecoder().decode(nonNull(token)), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return record(refused(OAUTHBEARER, now, null, "The token is not a base64url-encoded URL."));
        }
        String expectedHost = "kafka." + region + ".amazonaws.com";
        if (!"https".equals(url.getScheme()) || !expectedHost.equals(url.getHost()) || url.getPort() != -1) {
            return record(refused(OAUTHBEARER, now, null, "The token's URL must be https://" + expectedHost
                    + "/, not " + url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + "."));
        }
        if (url.getRawPath() != null && !url.getRawPath().isEmpty() && !url.getRawPath().equals("/")) {
            return record(refused(OAUTHBEARER, now, null, "The token's URL must have the path /."));
        }
        // User-Agent is added after signing (AWS's signers do so): it is not part of what was signed.
        List<String> signed = new ArrayList<>();
        String action = null;
        for (String pair : nonNull(url.getRawQuery()).split("&")) {
            String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
            if (name.equalsIgnoreCase("User-Agent") || pair.isEmpty()) {
                continue;
            }
            if (name.equals("Action")) {
                action = java.net.URLDecoder.decode(pair.substring(pair.indexOf('=') + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
            }
            signed.add(pair);
        }
        return record(verifyPresigned(OAUTHBEARER, now, action, expectedHost, String.join("&", signed)));
    }

    private Authentication verifyPresigned(String mechanism, Instant now, String action, String host, String rawQuery) {
        if (!CONNECT_ACTION.equals(action)) {
            return refused(mechanism, now, null, "The signed action must be " + CONNECT_ACTION + ", not " + action + ".");
        }
        SigV4Verifier.Request req = new SigV4Verifier.Request("GET", "/", rawQuery, Map.of("host", List.of(host)), null);
        Map<String, IssuedCredentials> seen = new ConcurrentHashMap<>();
        SigV4Verifier.Result r = SigV4Verifier.verify(req, akid -> credentials.apply(akid).map(c -> {
            seen.put(akid, c);
            return c.secretAccessKey();
        }).orElse(null), now);
        String akid = r.accessKeyId();
        IssuedCredentials c = akid == null ? null : seen.get(akid);
        if (r.failure() == SigV4Verifier.Failure.UNKNOWN_ACCESS_KEY) {
            return refused(mechanism, now, akid, "The access key was not issued by this STS (or is no longer known).");
        }
        if (c != null && (r.securityToken() == null || !MessageDigest.isEqual(
                r.securityToken().getBytes(StandardCharsets.UTF_8), c.sessionToken().getBytes(StandardCharsets.UTF_8)))) {
            return refused(mechanism, now, akid, "The security token is not the one issued with this access key.");
        }
        if (c != null && !now.isBefore(c.expiration())) {
            return refused(mechanism, now, akid, "The credentials expired at " + c.expiration() + ".");
        }
        if (!r.valid()) {
            return refused(mechanism, now, akid, r.failure() + ": " + r.message());
        }
        if (!SERVICE.equals(r.service()) || !region.equals(r.region())) {
            return refused(mechanism, now, akid, "The signature must be scoped to " + region + "/" + SERVICE + ", not "
                    + r.region() + "/" + r.service() + ".");
        }
        long expires = Long.parseLong(queryValue(rawQuery, "X-Amz-Expires"));
        if (expires > MAX_SIGNATURE_VALIDITY.toSeconds()) {
            return refused(mechanism, now, akid, "X-Amz-Expires may be at most " + MAX_SIGNATURE_VALIDITY.toSeconds() + " s.");
        }
        Instant session = c.expiration();
        if (mechanism.equals(OAUTHBEARER)) {
            Instant tokenExpiry = r.signedAt().plusSeconds(expires);
            session = tokenExpiry.isBefore(session) ? tokenExpiry : session;
        }
        if (Duration.between(now, session).compareTo(minimumSession) < 0) {
            // MSK answers a re-authentication with credentials about to expire this way (its session would end
            // almost at once); see Builder.minimumSession.
            return refused(mechanism, now, akid, "Session too short: it would end at " + session + ", in less than the"
                    + " minimum of " + minimumSession.toSeconds() + " s.");
        }
        return new Authentication(mechanism, now, akid, c.assumedRoleArn(), c.expiration(), session, null);
    }

    private static String queryValue(String rawQuery, String name) {
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return "0";
    }

    /** Percent-encoding the verifier decodes back exactly ({@code +} would be a literal plus there, not a space). */
    private static String encode(String v) {
        return java.net.URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    private static Authentication refused(String mechanism, Instant now, String akid, String why) {
        return new Authentication(mechanism, now, akid, null, null, null, why);
    }

    private Authentication record(Authentication a) {
        authentications.add(a);
        return a;
    }

    /** {@return every attempt checked so far, oldest first} */
    public List<Authentication> authentications() {
        return List.copyOf(authentications);
    }

    /** Forgets the attempts recorded so far. */
    public void clearAuthentications() {
        authentications.clear();
    }

    /** {@return the clock sessions are granted by} */
    Clock clock() {
        return clock;
    }

    /** A fresh request ID for the server's answer, as MSK sends one. */
    static String requestId() {
        return UUID.randomUUID().toString();
    }

    /** The registered authenticator with this ID; throws a message that says what to configure when there is none. */
    static MskIamAuthenticator registered(String id) {
        MskIamAuthenticator a = id == null ? null : REGISTRY.get(id);
        if (a == null) {
            throw new IllegalStateException("No MskIamAuthenticator '" + id + "' in this JVM: configure the broker with"
                    + " MskIamAuthenticator.brokerListenerConfig(listener) of an authenticator that is still open.");
        }
        return a;
    }

    /** Unregisters this authenticator: brokers that still name it refuse every client. */
    @Override
    public void close() {
        REGISTRY.remove(id);
    }

    @Override
    public String toString() {
        return "MskIamAuthenticator[" + id + ", region=" + region + ", " + authentications.size() + " attempts]";
    }

    /** Configures an {@link MskIamAuthenticator}. Not thread-safe. */
    public static final class Builder {
        private Function<String, Optional<IssuedCredentials>> credentials;
        private String region;
        private Clock clock = Clock.systemUTC();
        private final List<String> extraHosts = new ArrayList<>();
        private Duration minimumSession = Duration.ZERO;

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
         * The region signatures must be scoped to (and, for OAUTHBEARER, that names the signed host).
         *
         * @param region the region, e.g. {@code us-west-2}
         * @return this builder
         */
        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /**
         * The clock expiry and signature times are checked by.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Another host name a client may sign for {@code AWS_MSK_IAM} besides the one Kafka hands the SASL server
         * (the reverse lookup of the broker's local address): the name clients connect to when it differs, as an
         * advertised name behind a proxy or an alias.
         *
         * @param host the host name
         * @return this builder
         */
        public Builder acceptHost(String host) {
            extraHosts.add(host.toLowerCase(Locale.ROOT));
            return this;
        }

        /**
         * The shortest session granted (default none): an authentication whose session would end sooner (credentials
         * or token about to expire) is refused with "Session too short", as MSK refuses clients that re-authenticate
         * with credentials that have seconds left. Use it to test that a client re-authenticates with fresh
         * credentials, not the ones about to expire.
         *
         * @param minimum the shortest session, zero or more
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder minimumSession(Duration minimum) {
            if (minimum.isNegative()) {
                throw new IllegalArgumentException("minimumSession must be zero or more, not " + minimum);
            }
            this.minimumSession = minimum;
            return this;
        }

        /** {@return a registered authenticator; close it when its broker stops} */
        public MskIamAuthenticator build() {
            return new MskIamAuthenticator(this);
        }
    }
}
