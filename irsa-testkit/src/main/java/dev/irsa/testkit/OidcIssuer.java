package dev.irsa.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpExchange;
import dev.irsa.testkit.internal.LoopbackHttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenID Connect issuer on loopback HTTP, shaped like an EKS cluster's
 * ({@code http://127.0.0.1:<port>/id/<HEX>}): it serves {@code /.well-known/openid-configuration} and
 * {@code /keys} (the JWKS) and mints projected service-account tokens signed with its keys.
 *
 * <p>Thread-safe. Keys can be rotated while it serves: the newest key signs, older keys stay in the JWKS
 * until {@link #retireKey(String) retired}. {@link #close()} stops the server.
 * @since 0.1.0
 */
public final class OidcIssuer implements AutoCloseable {
    private final LoopbackHttpServer.Bound http;
    private final URI issuer;
    private final Clock clock;
    private final CopyOnWriteArrayList<RSAKey> keys = new CopyOnWriteArrayList<>();
    private final AtomicInteger discoveryRequests = new AtomicInteger();
    private final AtomicInteger jwksRequests = new AtomicInteger();

    private OidcIssuer(Builder b) {
        this.clock = b.clock;
        this.http = LoopbackHttpServer.bind(b.port, "irsa-testkit-oidc");
        String id = b.clusterId != null ? b.clusterId : randomClusterId();
        this.issuer = URI.create("http://127.0.0.1:" + http.port() + "/id/" + id);
        rotateKey();
        String base = issuer.getPath();
        http.server().createContext(base + "/.well-known/openid-configuration", this::discovery);
        http.server().createContext(base + "/keys", this::jwks);
        http.start();
    }

    /**
     * Starts an issuer on an ephemeral loopback port with the system clock.
     *
     * @return the running issuer; close it to stop it
     */
    public static OidcIssuer start() {
        return builder().start();
    }

    /** {@return a builder for an issuer with a non-default clock, port or cluster ID} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The issuer URL, exactly as it appears in the tokens' {@code iss} claim.
     *
     * @return the issuer URL
     */
    public URI issuer() {
        return issuer;
    }

    /**
     * Host, port and path of the issuer: how IAM names the OIDC provider and its condition keys.
     *
     * @return the issuer's authority and path, without the scheme
     */
    public String hostAndPath() {
        return issuer.getAuthority() + issuer.getPath();
    }

    /** {@return the URL of the issuer's JSON Web Key Set} */
    public URI jwksUri() {
        return URI.create(issuer + "/keys");
    }

    /** {@return the URL of the issuer's OpenID discovery document} */
    public URI discoveryUri() {
        return URI.create(issuer + "/.well-known/openid-configuration");
    }

    /** {@return the clock tokens are stamped with} */
    public Clock clock() {
        return clock;
    }

    /**
     * Generates a new RSA key that signs from now on; older keys stay published. Returns its {@code kid}.
     *
     * @return the new key's {@code kid}
     */
    public String rotateKey() {
        try {
            RSAKey key = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE)
                    .keyID(HexFormat.of().formatHex(randomBytes(20))).generate();
            keys.add(0, key);
            return key.getKeyID();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Removes a key from the JWKS: tokens it signed stop verifying.
     *
     * @param kid the key's {@code kid}
     */
    public void retireKey(String kid) {
        keys.removeIf(k -> k.getKeyID().equals(kid));
    }

    /**
     * The {@code kid}s published in the JWKS, newest first.
     *
     * @return the key IDs
     */
    public List<String> keyIds() {
        List<String> ids = new ArrayList<>();
        keys.forEach(k -> ids.add(k.getKeyID()));
        return ids;
    }

    /**
     * Starts a token for {@code system:serviceaccount:<namespace>:<serviceAccount>}.
     *
     * @param namespace the service account's namespace
     * @param serviceAccount the service account's name
     * @return a builder for the token
     */
    public ServiceAccountTokenBuilder token(String namespace, String serviceAccount) {
        return new ServiceAccountTokenBuilder(this, namespace, serviceAccount);
    }

    /** {@return how many times the discovery document was requested} */
    public int discoveryRequests() {
        return discoveryRequests.get();
    }

    /** {@return how many times the JSON Web Key Set was requested} */
    public int jwksRequests() {
        return jwksRequests.get();
    }

    RSAKey activeKey() {
        return keys.get(0);
    }

    @Override
    public void close() {
        http.stop();
    }

    private void discovery(HttpExchange ex) throws IOException {
        discoveryRequests.incrementAndGet();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("issuer", issuer.toString());
        doc.put("jwks_uri", jwksUri().toString());
        doc.put("authorization_endpoint", "urn:kubernetes:programmatic_authorization");
        doc.put("response_types_supported", List.of("id_token"));
        doc.put("subject_types_supported", List.of("public"));
        doc.put("id_token_signing_alg_values_supported", List.of("RS256"));
        doc.put("claims_supported", List.of("sub", "iss"));
        respond(ex, JSONObjectUtils.toJSONString(doc));
    }

    private void jwks(HttpExchange ex) throws IOException {
        jwksRequests.incrementAndGet();
        List<com.nimbusds.jose.jwk.JWK> published = new ArrayList<>();
        keys.forEach(k -> published.add(k.toPublicJWK()));
        respond(ex, new JWKSet(published).toString(true));
    }

    private static void respond(HttpExchange ex, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static String randomClusterId() {
        return HexFormat.of().withUpperCase().formatHex(randomBytes(16));
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** Configures an {@link OidcIssuer}. */
    public static final class Builder {
        /** Creates a builder holding the defaults, as {@link OidcIssuer#builder()} does. */
        public Builder() {
        }

        private Clock clock = Clock.systemUTC();
        private int port;
        private String clusterId;

        /**
         * The clock tokens are stamped with (default: system UTC).
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Loopback port; 0 (default) picks a free one.
         *
         * @param port the port, or 0
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * The last path segment of the issuer URL, like EKS's cluster ID; random by default.
         *
         * @param clusterId the cluster ID
         * @return this builder
         */
        public Builder clusterId(String clusterId) {
            this.clusterId = clusterId;
            return this;
        }

        /** {@return a running issuer; close it to stop it} */
        public OidcIssuer start() {
            return new OidcIssuer(this);
        }
    }
}
