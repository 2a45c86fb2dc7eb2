package dev.irsa.core;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;
import software.amazon.awssdk.protocols.jsoncore.JsonNodeParser;

/**
 * The claims of a projected service-account token, decoded <em>without</em> verifying the signature (STS
 * does that): used to explain problems before STS does and to name the namespace and service account in
 * diagnostics. Immutable; holds no copy of the token itself, so it is safe to log.
 *
 * @param issuer the {@code iss} claim, or null
 * @param subject the {@code sub} claim, or null
 * @param audiences the {@code aud} claim (a single string or a list); empty when absent
 * @param issuedAt the {@code iat} claim, or null
 * @param notBefore the {@code nbf} claim, or null
 * @param expiresAt the {@code exp} claim, or null
 * @param namespace the Kubernetes namespace, from the {@code kubernetes.io} claim or else the subject; may be null
 * @param serviceAccount the service account's name, from the {@code kubernetes.io} claim or else the subject; may
 *        be null
 * @since 0.1.0
 */
public record WebIdentityToken(String issuer, String subject, List<String> audiences, Instant issuedAt,
                               Instant notBefore, Instant expiresAt, String namespace, String serviceAccount) {
    /** The audience IRSA tokens must carry. */
    public static final String STS_AUDIENCE = "sts.amazonaws.com";

    /**
     * Decodes a compact JWT.
     *
     * @param jwt the token, in compact serialization
     * @return the decoded claims
     * @param source where it came from (a file path), named in the error
     * @throws IrsaException of kind {@link IrsaException.Kind#TOKEN} if it is not a JWT
     */
    public static WebIdentityToken decode(String jwt, String source) {
        return decode(jwt, "web identity token in " + source, "Check that AWS_WEB_IDENTITY_TOKEN_FILE points at the"
                + " projected service-account token (on EKS /var/run/secrets/eks.amazonaws.com/serviceaccount/token).");
    }

    /** As {@link #decode(String, String)}, with the error naming the token as {@code what} and ending with {@code advice}. */
    static WebIdentityToken decode(String jwt, String what, String advice) {
        String source = what;
        String[] parts = jwt.split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw notJwt(source, advice, "expected three base64url parts separated by dots, found " + parts.length);
        }
        Map<String, JsonNode> claims;
        try {
            String json = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
            JsonNode node = JsonNodeParser.create().parse(json);
            if (!node.isObject()) {
                throw notJwt(source, advice, "the payload is not a JSON object");
            }
            claims = node.asObject();
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            throw notJwt(source, advice, "the payload is not base64url-encoded JSON");
        } catch (RuntimeException e) {
            if (e instanceof IrsaException ie) {
                throw ie;
            }
            throw notJwt(source, advice, "the payload is not JSON");
        }
        List<String> aud = new ArrayList<>();
        JsonNode a = claims.get("aud");
        if (a != null && a.isString()) {
            aud.add(a.asString());
        } else if (a != null && a.isArray()) {
            a.asArray().forEach(n -> aud.add(n.isString() ? n.asString() : n.toString()));
        }
        String ns = null;
        String sa = null;
        JsonNode k8s = claims.get("kubernetes.io");
        if (k8s != null && k8s.isObject()) {
            ns = text(k8s.asObject().get("namespace"));
            JsonNode san = k8s.asObject().get("serviceaccount");
            if (san != null && san.isObject()) {
                sa = text(san.asObject().get("name"));
            }
        }
        String sub = text(claims.get("sub"));
        if ((ns == null || sa == null) && sub != null && sub.startsWith("system:serviceaccount:")) {
            String[] s = sub.split(":");
            if (s.length == 4) {
                ns = ns == null ? s[2] : ns;
                sa = sa == null ? s[3] : sa;
            }
        }
        return new WebIdentityToken(text(claims.get("iss")), sub, List.copyOf(aud), time(claims.get("iat")),
                time(claims.get("nbf")), time(claims.get("exp")), ns, sa);
    }

    /**
     * Issuer host and path, as IAM names the OIDC provider and its condition keys.
     *
     * @return the issuer without its scheme and trailing slashes, or empty when the token has no issuer
     */
    public Optional<String> issuerHostAndPath() {
        if (issuer == null) {
            return Optional.empty();
        }
        return Optional.of(issuer.replaceFirst("^https?://", "").replaceAll("/+$", ""));
    }

    /** {@return whether the audiences include {@value #STS_AUDIENCE}} */
    public boolean hasStsAudience() {
        return audiences.contains(STS_AUDIENCE);
    }

    /**
     * {@code ns/sa} or the subject, for messages.
     *
     * @return a description naming the service account when known, else the subject
     */
    public String describe() {
        return namespace != null && serviceAccount != null
                ? "service account " + namespace + "/" + serviceAccount + " (sub " + subject + ")"
                : "sub " + subject;
    }

    private static IrsaException notJwt(String what, String advice, String why) {
        return new IrsaException(IrsaException.Kind.TOKEN, null, "The " + what + " is not a JWT: " + why + ". " + advice,
                null);
    }

    private static String text(JsonNode n) {
        return n != null && n.isString() ? n.asString() : null;
    }

    private static Instant time(JsonNode n) {
        if (n == null || !n.isNumber()) {
            return null;
        }
        try {
            return Instant.ofEpochSecond((long) Double.parseDouble(n.asNumber()));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
