package dev.irsa.testkit.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies web identity tokens the way STS does: discovery document and JWKS fetched from the issuer over
 * HTTP (cached; refetched when a {@code kid} is unknown), RS256 signature, {@code exp}/{@code nbf} with a
 * small skew. Only loopback issuers are contacted. Thread-safe.
 */
public final class IdentityTokenVerifier {
    private static final Duration CACHE_TTL = Duration.ofMinutes(5);
    private static final Duration MIN_REFETCH = Duration.ofSeconds(1);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, CachedKeys> cache = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration skew;

    public IdentityTokenVerifier(Clock clock, Duration skew) {
        this.clock = clock;
        this.skew = skew;
    }

    private record CachedKeys(JWKSet keys, Instant fetchedAt) {
    }

    /** Parses the token far enough to read its issuer; no trust is implied. */
    public static JWT parse(String token) {
        try {
            return JWTParser.parse(token);
        } catch (ParseException e) {
            throw StsException.sender(400, "InvalidIdentityToken",
                    "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)");
        }
    }

    /** Verifies signature and validity period, returning the claims; throws {@link StsException} like STS. */
    public JWTClaimsSet verify(JWT jwt, String issuer) {
        if (jwt instanceof PlainJWT || !(jwt instanceof SignedJWT signed)) {
            throw StsException.sender(400, "InvalidIdentityToken",
                    "The web identity token is not signed (alg: none); only RS256-signed tokens are accepted.");
        }
        if (!JWSAlgorithm.Family.RSA.contains(signed.getHeader().getAlgorithm())) {
            throw StsException.sender(400, "InvalidIdentityToken",
                    "Unsupported signing algorithm " + signed.getHeader().getAlgorithm() + "; the issuer must sign with RS256.");
        }
        String kid = signed.getHeader().getKeyID();
        RSAKey key = findKey(issuer, kid);
        try {
            if (!signed.verify(new RSASSAVerifier(key))) {
                throw StsException.sender(400, "InvalidIdentityToken",
                        "The web identity token's signature does not verify with the issuer's published key " + kid + ".");
            }
        } catch (JOSEException e) {
            throw StsException.sender(400, "InvalidIdentityToken", "The web identity token's signature could not be checked.");
        }
        JWTClaimsSet claims;
        try {
            claims = signed.getJWTClaimsSet();
        } catch (ParseException e) {
            throw StsException.sender(400, "InvalidIdentityToken", "The web identity token's claims are not valid JSON.");
        }
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw StsException.sender(400, "InvalidIdentityToken", "The web identity token has no exp claim.");
        }
        if (!now.minus(skew).isBefore(exp.toInstant())) {
            throw StsException.sender(400, "ExpiredTokenException", "Token expired: current date/time "
                    + now.getEpochSecond() + " must be before the expiration date/time " + exp.toInstant().getEpochSecond());
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(skew).isBefore(nbf.toInstant())) {
            throw StsException.sender(403, "IDPRejectedClaim", "The web identity token is not valid yet: nbf "
                    + nbf.toInstant().getEpochSecond() + " is after the current date/time " + now.getEpochSecond());
        }
        Date iat = claims.getIssueTime();
        if (iat != null && now.plus(skew).isBefore(iat.toInstant())) {
            throw StsException.sender(403, "IDPRejectedClaim", "The web identity token was issued in the future: iat "
                    + iat.toInstant().getEpochSecond() + ", current date/time " + now.getEpochSecond());
        }
        return claims;
    }

    private RSAKey findKey(String issuer, String kid) {
        CachedKeys cached = cache.get(issuer);
        Instant now = Instant.now();
        if (cached == null || cached.fetchedAt.plus(CACHE_TTL).isBefore(now)
                || (cached.keys.getKeyByKeyId(kid) == null && cached.fetchedAt.plus(MIN_REFETCH).isBefore(now))) {
            cached = new CachedKeys(fetchKeys(issuer), now);
            cache.put(issuer, cached);
        }
        JWK jwk = kid == null && cached.keys.getKeys().size() == 1 ? cached.keys.getKeys().get(0) : cached.keys.getKeyByKeyId(kid);
        if (!(jwk instanceof RSAKey rsa)) {
            throw StsException.sender(400, "InvalidIdentityToken",
                    "The web identity token is signed by key " + kid + ", which the issuer's JWKS does not publish.");
        }
        return rsa;
    }

    private JWKSet fetchKeys(String issuer) {
        URI discovery = URI.create(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration");
        try {
            requireLoopback(discovery);
            Map<String, Object> doc = JSONObjectUtils.parse(get(discovery));
            if (!issuer.equals(doc.get("issuer"))) {
                throw StsException.sender(400, "InvalidIdentityToken",
                        "The issuer's discovery document names issuer " + doc.get("issuer") + ", not " + issuer + ".");
            }
            URI jwksUri = URI.create(String.valueOf(doc.get("jwks_uri")));
            requireLoopback(jwksUri);
            return JWKSet.parse(get(jwksUri));
        } catch (IOException e) {
            throw StsException.sender(400, "IDPCommunicationError",
                    "The request could not be fulfilled because the identity provider (IDP) that was asked to verify"
                            + " the incoming identity token could not be reached. Please try again.");
        } catch (ParseException | IllegalArgumentException e) {
            throw StsException.sender(400, "InvalidIdentityToken",
                    "Couldn't retrieve verification key from your identity provider, please reference"
                            + " AssumeRoleWithWebIdentity documentation for requirements");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StsException.sender(400, "IDPCommunicationError", "Interrupted while contacting the identity provider.");
        }
    }

    private String get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode() + " from " + uri);
        }
        return r.body();
    }

    /** Literal loopback names only: no DNS lookup ever leaves the machine. */
    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost") || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}") || h.equals("::1")
                || h.equals("0:0:0:0:0:0:0:1");
    }

    private static void requireLoopback(URI uri) throws IOException {
        // The emulator never reaches beyond this machine.
        if (!isLoopback(uri.getHost())) {
            throw new IOException("The emulator only contacts loopback issuers, not " + uri.getHost());
        }
    }
}
