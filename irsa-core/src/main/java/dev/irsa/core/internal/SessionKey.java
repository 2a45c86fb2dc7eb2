package dev.irsa.core.internal;

import dev.irsa.core.ChainedRoleConfig;
import dev.irsa.core.IrsaConfig;
import dev.irsa.core.PodIdentityConfig;
import dev.irsa.core.RefreshPolicy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * What makes two sessions one in {@link SessionRegistry}: everything that changes what is asked (of STS or the Pod
 * Identity agent), how, or when, one record per credential source. Listeners and eager start do not count (each
 * holder adds its listeners to the shared session). Values only: a key is never logged, and holds no secret in clear
 * (a literal Pod Identity token only as a digest).
 *
 * <p>The key is also the one decision behind {@code sessionDifferences} ({@link #differences}): what is compared is
 * each key's {@link #settings()}, which name every component of the record, in order; so two configurations are said
 * to share one session exactly when their keys are equal.
 */
public sealed interface SessionKey {
    /** {@return the refresh policy of the session: whether kept credentials may be taken up} */
    RefreshPolicy refreshPolicy();

    /** {@return the clock kept credentials' expiry is compared with} */
    Clock clock();

    /**
     * Every component of this key, in the record's order, with what a user sets it by: what {@link #differences}
     * compares.
     *
     * @return one setting per record component
     */
    List<Setting> settings();

    /**
     * One component of a key as {@link #differences} shows it.
     *
     * @param component the record component's name
     * @param label     what the user sets it by (its {@code irsa.*} property, environment variable or builder method)
     * @param value     the component's value (compared with {@link Objects#equals})
     * @param opaque    whether only "set", "unset" or "a different one" may be shown (a token's digest, an object)
     */
    record Setting(String component, String label, Object value, boolean opaque) {
        static Setting shown(String component, String label, Object value) {
            return new Setting(component, label, value, false);
        }

        static Setting opaque(String component, String label, Object value) {
            return new Setting(component, label, value, true);
        }
    }

    /**
     * The key of an IRSA ({@code AssumeRoleWithWebIdentity}) session.
     *
     * @param stsClient the application's own STS client, by identity (null when the session builds its own)
     */
    record WebIdentity(String roleArn, Path tokenFile, String sessionName, URI stsEndpoint, Duration duration,
                       String sessionPolicy, List<String> policyArns, RefreshPolicy refreshPolicy, StsClient stsClient,
                       Duration connectTimeout, Duration readTimeout, Duration attemptTimeout, Clock clock)
            implements SessionKey {
        @Override
        public List<Setting> settings() {
            return List.of(Setting.shown("roleArn", "role (irsa.role-arn, AWS_ROLE_ARN)", roleArn),
                    Setting.shown("tokenFile", "token file (irsa.token-file, AWS_WEB_IDENTITY_TOKEN_FILE)", tokenFile),
                    Setting.shown("sessionName", "session name (irsa.session-name, AWS_ROLE_SESSION_NAME)", sessionName),
                    Setting.shown("stsEndpoint", "STS endpoint (irsa.sts-endpoint, irsa.region, AWS_REGION,"
                            + " AWS_ENDPOINT_URL_STS)", stsEndpoint),
                    Setting.shown("duration", "irsa.session-duration", duration),
                    Setting.shown("sessionPolicy", "irsa.session-policy", sessionPolicy),
                    Setting.shown("policyArns", "irsa.policy-arns", policyArns),
                    Setting.shown("refreshPolicy", "irsa.refresh.*", refreshPolicy),
                    Setting.opaque("stsClient", "the application's own STS client (IrsaConfig.Builder.stsClient)",
                            stsClient),
                    Setting.shown("connectTimeout", "irsa.connect-timeout", connectTimeout),
                    Setting.shown("readTimeout", "irsa.read-timeout", readTimeout),
                    Setting.shown("attemptTimeout", "irsa.attempt-timeout", attemptTimeout),
                    Setting.shown("clock", "clock (IrsaConfig.Builder.clock)", clock));
        }
    }

    /**
     * The key of an EKS Pod Identity session.
     *
     * @param tokenDigest the SHA-256 of a literal authorization token, null when the token comes from a file
     */
    record PodIdentity(URI agent, Path tokenFile, String tokenDigest, RefreshPolicy refreshPolicy,
                       Duration connectTimeout, Duration readTimeout, Duration attemptTimeout, Clock clock)
            implements SessionKey {
        @Override
        public List<Setting> settings() {
            return List.of(Setting.shown("agent", "agent URI (AWS_CONTAINER_CREDENTIALS_FULL_URI)", agent),
                    Setting.shown("tokenFile", "token file (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)", tokenFile),
                    Setting.opaque("tokenDigest", "authorization token (AWS_CONTAINER_AUTHORIZATION_TOKEN)",
                            tokenDigest),
                    Setting.shown("refreshPolicy", "irsa.refresh.*", refreshPolicy),
                    Setting.shown("connectTimeout", "irsa.connect-timeout", connectTimeout),
                    Setting.shown("readTimeout", "irsa.read-timeout", readTimeout),
                    Setting.shown("attemptTimeout", "irsa.attempt-timeout", attemptTimeout),
                    Setting.shown("clock", "clock (PodIdentityConfig.Builder.clock)", clock));
        }
    }

    /**
     * The key of a role chained ({@code sts:AssumeRole}) from the session of {@code source}: the same target assumed
     * from the same source session the same way is one session.
     *
     * @param sessionName the chained session's name as sent (the target's, else the source's derived one)
     * @param stsEndpoint where AssumeRole goes (the target's STS region, else the source's endpoint or region)
     */
    record Chained(SessionKey source, String roleArn, String sessionName, String externalId, URI stsEndpoint,
                   Duration duration, String sessionPolicy, List<String> policyArns, RefreshPolicy refreshPolicy,
                   Clock clock) implements SessionKey {
        @Override
        public List<Setting> settings() {
            return List.of(Setting.opaque("source", "source session", source),
                    Setting.shown("roleArn", "chained role (roleArn)", roleArn),
                    Setting.shown("sessionName", "chained session name (roleSessionName)", sessionName),
                    Setting.opaque("externalId", "external ID (externalId)", externalId),
                    Setting.shown("stsEndpoint", "chained STS endpoint (stsRegion)", stsEndpoint),
                    Setting.shown("duration", "chained session duration (sessionDuration)", duration),
                    Setting.shown("sessionPolicy", "chained session policy (sessionPolicy)", sessionPolicy),
                    Setting.shown("policyArns", "chained policy ARNs (policyArns)", policyArns),
                    Setting.shown("refreshPolicy", "chained refresh policy (refreshPolicy)", refreshPolicy),
                    Setting.shown("clock", "clock", clock));
        }
    }

    /**
     * What differs between two keys, the one comparison behind {@code IrsaConfig.sessionDifferences} and
     * {@code PodIdentityConfig.sessionDifferences}: one entry per {@linkplain #settings() setting} whose values differ,
     * in the key's order, naming it and both values (shortened to 40 characters; an opaque one only as set, unset or
     * a different one). Empty exactly when the keys are equal, that is when both configurations share one session.
     *
     * @param a     one key
     * @param aName how the entries call {@code a}, e.g. {@code "application"}
     * @param b     the other key
     * @param bName how they call {@code b}
     * @return the differences, in a fixed order; empty when {@code a.equals(b)}
     */
    static List<String> differences(SessionKey a, String aName, SessionKey b, String bName) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        List<String> d = new ArrayList<>();
        if (a.getClass() != b.getClass()) {
            d.add("credential source (" + aName + ": " + a.getClass().getSimpleName() + ", " + bName + ": "
                    + b.getClass().getSimpleName() + ")");
            return d;
        }
        List<Setting> as = a.settings();
        List<Setting> bs = b.settings();
        for (int i = 0; i < as.size(); i++) {
            Setting x = as.get(i);
            Object y = bs.get(i).value();
            if (Objects.equals(x.value(), y)) {
                continue;
            }
            if (x.opaque()) {
                d.add(x.label() + " (" + aName + ": " + (x.value() == null ? "unset" : "set") + ", " + bName + ": "
                        + (y == null ? "unset" : x.value() == null ? "set" : "set, a different one") + ")");
            } else {
                differ(d, x.label(), aName, x.value(), bName, y);
            }
        }
        if (d.isEmpty() && !a.equals(b)) {
            // settings() lists every component (checked by a test), so this does not happen; never say "one session"
            d.add("a setting of the session key (" + aName + " and " + bName + " are keyed apart)");
        }
        return d;
    }

    /** Adds what differs between {@code a} and {@code b}, named {@code what}. */
    private static void differ(List<String> d, String what, String aName, Object a, String bName, Object b) {
        // Long values (a policy, a refresh policy) that share a beginning are shown from a little before where
        // they part, or both would read the same.
        int from = 0;
        if (a != null && b != null) {
            String as = String.valueOf(a);
            String bs = String.valueOf(b);
            int common = 0;
            while (common < Math.min(as.length(), bs.length()) && as.charAt(common) == bs.charAt(common)) {
                common++;
            }
            from = Math.max(0, common - 20);
        }
        d.add(what + " (" + aName + ": " + shown(a, from) + ", " + bName + ": " + shown(b, from) + ")");
    }

    /** A value as a difference shows it: quoted, 40 characters from {@code from} at most (a policy can be 2048). */
    private static String shown(Object value, int from) {
        if (value == null || (value instanceof List<?> l && l.isEmpty())) {
            return "unset";
        }
        String s = String.valueOf(value);
        if (s.length() <= 40) {
            return "'" + s + "'";
        }
        int start = Math.min(from, s.length() - 40);
        return "'" + (start > 0 ? "..." : "") + s.substring(start, start + 40) + (start + 40 < s.length() ? "..." : "")
                + "' (" + s.length() + " chars)";
    }

    /**
     * The key of an IRSA configuration's session.
     *
     * @param c the configuration
     * @return its key
     */
    static SessionKey of(IrsaConfig c) {
        return new WebIdentity(c.roleArn().toString(), c.tokenFile(), c.roleSessionName(), c.stsEndpoint(),
                c.sessionDuration(), c.sessionPolicy().orElse(null), c.policyArns(), c.refreshPolicy(),
                c.stsClient().orElse(null), c.connectTimeout(), c.readTimeout(), c.attemptTimeout(), c.clock());
    }

    /**
     * The key of a Pod Identity configuration's session: agent, token (a literal one only as a digest), timeouts,
     * refresh policy, clock.
     *
     * @param c the configuration
     * @return its key
     */
    static SessionKey of(PodIdentityConfig c) {
        return new PodIdentity(c.endpoint(), c.tokenFile().orElse(null), c.literalToken().map(SessionKey::digest)
                .orElse(null), c.refreshPolicy(), c.connectTimeout(), c.readTimeout(), c.attemptTimeout(), c.clock());
    }

    /**
     * The key of {@code target} assumed from the session keyed {@code source}.
     *
     * @param source the source session's key
     * @param target the chained role
     * @param base what AssumeRole is sent with (the IRSA source's configuration, or the one made for a Pod Identity
     *             source): its STS endpoint and derived session name
     * @return the chained session's key
     */
    static SessionKey chained(SessionKey source, ChainedRoleConfig target, IrsaConfig base) {
        return new Chained(source, target.roleArn().toString(), target.roleSessionName().orElse(base.roleSessionName()),
                target.externalId().orElse(null), StsAssumeRoleExchange.endpoint(target, base), target.sessionDuration(),
                target.sessionPolicy().orElse(null), target.policyArns(), target.refreshPolicy(), base.clock());
    }

    private static String digest(String s) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
