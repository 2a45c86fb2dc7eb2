package dev.irsa.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Mints a Kubernetes projected service-account token (the JWT the kubelet writes into a pod), or a
 * deliberately broken one for negative tests. Obtained from {@link OidcIssuer#token(String, String)}.
 *
 * <p>Not thread-safe: build one token per builder on one thread. The issued strings are real RS256 JWTs
 * that verify against the issuer's JWKS (unless forged on purpose).
 * @since 0.1.0
 */
public final class ServiceAccountTokenBuilder {
    /** The audience EKS projects for IRSA. */
    public static final String STS_AUDIENCE = "sts.amazonaws.com";

    private final OidcIssuer issuer;
    private final String namespace;
    private final String serviceAccount;
    private List<String> audiences = List.of(STS_AUDIENCE);
    private Instant issuedAt;
    private Instant notBefore;
    private Duration lifetime = Duration.ofHours(24);
    private String issuerOverride;
    private String subjectOverride;
    private String podName;
    private final String podUid = UUID.randomUUID().toString();
    private final String serviceAccountUid = UUID.randomUUID().toString();
    private final Map<String, Object> extraClaims = new LinkedHashMap<>();

    ServiceAccountTokenBuilder(OidcIssuer issuer, String namespace, String serviceAccount) {
        this.issuer = issuer;
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.serviceAccount = Objects.requireNonNull(serviceAccount, "serviceAccount");
        this.podName = serviceAccount + "-7d9f8c6b5-x2x4z";
    }

    /**
     * Replaces the {@code aud} claim.
     *
     * @param audiences the audiences
     * @return this builder
     */
    public ServiceAccountTokenBuilder audience(String... audiences) {
        this.audiences = List.of(audiences);
        return this;
    }

    /**
     * Sets {@code iat}; by default the issuer clock's time when the claims are built.
     *
     * @param issuedAt the issue time
     * @return this builder
     */
    public ServiceAccountTokenBuilder issuedAt(Instant issuedAt) {
        this.issuedAt = issuedAt;
        return this;
    }

    /**
     * Sets {@code nbf}; by default equal to {@code iat}.
     *
     * @param notBefore the time before which the token is not valid
     * @return this builder
     */
    public ServiceAccountTokenBuilder notBefore(Instant notBefore) {
        this.notBefore = notBefore;
        return this;
    }

    /**
     * Token lifetime from {@code iat} to {@code exp}; any value, including ones the kubelet would refuse.
     *
     * @param lifetime the lifetime (default 24 h)
     * @return this builder
     */
    public ServiceAccountTokenBuilder lifetime(Duration lifetime) {
        this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
        return this;
    }

    /**
     * Issued an hour ago with a 30-minute lifetime: {@code exp} is in the past.
     *
     * @return this builder
     */
    public ServiceAccountTokenBuilder expired() {
        this.issuedAt = issuer.clock().instant().minus(Duration.ofHours(1));
        this.lifetime = Duration.ofMinutes(30);
        return this;
    }

    /**
     * {@code nbf} an hour in the future.
     *
     * @return this builder
     */
    public ServiceAccountTokenBuilder notYetValid() {
        this.notBefore = issuer.clock().instant().plus(Duration.ofHours(1));
        return this;
    }

    /**
     * Claims an issuer other than the one signing (the {@code iss} claim only).
     *
     * @param iss the {@code iss} claim to put in the token
     * @return this builder
     */
    public ServiceAccountTokenBuilder issuerClaim(String iss) {
        this.issuerOverride = iss;
        return this;
    }

    /**
     * Replaces {@code sub}; {@code null} omits the claim.
     *
     * @param sub the {@code sub} claim, or null
     * @return this builder
     */
    public ServiceAccountTokenBuilder subject(String sub) {
        this.subjectOverride = sub == null ? "" : sub;
        return this;
    }

    /**
     * Sets the pod name in the {@code kubernetes.io} claim (default derived from the service account's name).
     *
     * @param podName the pod name
     * @return this builder
     */
    public ServiceAccountTokenBuilder podName(String podName) {
        this.podName = podName;
        return this;
    }

    /**
     * Adds (or replaces) a claim.
     *
     * @param name the claim's name
     * @param value the claim's value
     * @return this builder
     */
    public ServiceAccountTokenBuilder claim(String name, Object value) {
        extraClaims.put(name, value);
        return this;
    }

    /**
     * The claims this builder will sign.
     *
     * @return the claims, with {@code iat} defaulting to the issuer clock's current time
     */
    public JWTClaimsSet claims() {
        Instant iat = issuedAt != null ? issuedAt : issuer.clock().instant();
        Instant nbf = notBefore != null ? notBefore : iat;
        Map<String, Object> k8s = new LinkedHashMap<>();
        k8s.put("namespace", namespace);
        k8s.put("serviceaccount", Map.of("name", serviceAccount, "uid", serviceAccountUid));
        k8s.put("pod", Map.of("name", podName, "uid", podUid));
        k8s.put("node", Map.of("name", "ip-10-0-1-23.ec2.internal", "uid", UUID.nameUUIDFromBytes(podName.getBytes()).toString()));
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .issuer(issuerOverride != null ? issuerOverride : issuer.issuer().toString())
                .audience(new ArrayList<>(audiences))
                .issueTime(Date.from(iat))
                .notBeforeTime(Date.from(nbf))
                .expirationTime(Date.from(iat.plus(lifetime)))
                .claim("kubernetes.io", k8s);
        if (subjectOverride == null) {
            b.subject("system:serviceaccount:" + namespace + ":" + serviceAccount);
        } else if (!subjectOverride.isEmpty()) {
            b.subject(subjectOverride);
        }
        extraClaims.forEach(b::claim);
        return b.build();
    }

    /**
     * A valid RS256 token signed with the issuer's active key.
     *
     * @return the compact JWT
     */
    public String sign() {
        return signWith(issuer.activeKey());
    }

    /**
     * Signed by a freshly generated key that the issuer's JWKS does not publish.
     *
     * @return the compact JWT
     */
    public String signWithUnknownKey() {
        try {
            return signWith(new RSAKeyGenerator(2048).keyID("unknown-" + UUID.randomUUID()).generate());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Signed with the right key, then one byte of the signature changed.
     *
     * @return the compact JWT, whose signature does not verify
     */
    public String signWithTamperedSignature() {
        String jwt = sign();
        int dot = jwt.lastIndexOf('.');
        char[] sig = jwt.substring(dot + 1).toCharArray();
        int i = sig.length / 2;
        sig[i] = sig[i] == 'A' ? 'B' : 'A';
        return jwt.substring(0, dot + 1) + new String(sig);
    }

    /**
     * An unsecured JWT ({@code alg: none}).
     *
     * @return the compact JWT, with an empty signature part
     */
    public String unsigned() {
        return new PlainJWT(claims()).serialize();
    }

    private String signWith(RSAKey key) {
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
                    claims());
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("Could not sign the test token", e);
        }
    }
}
