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
import java.util.HexFormat;
import java.util.List;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * What makes two sessions one in {@link SessionRegistry}: everything that changes what is asked (of STS or the Pod
 * Identity agent), how, or when, one record per credential source. Listeners and eager start do not count (each
 * holder adds its listeners to the shared session). Values only: a key is never logged, and holds no secret in clear
 * (a literal Pod Identity token only as a digest).
 */
public sealed interface SessionKey {
    /** {@return the refresh policy of the session: whether kept credentials may be taken up} */
    RefreshPolicy refreshPolicy();

    /** {@return the clock kept credentials' expiry is compared with} */
    Clock clock();

    /**
     * The key of an IRSA ({@code AssumeRoleWithWebIdentity}) session.
     *
     * @param stsClient the application's own STS client, by identity (null when the session builds its own)
     */
    record WebIdentity(String roleArn, Path tokenFile, String sessionName, URI stsEndpoint, Duration duration,
                       String sessionPolicy, List<String> policyArns, RefreshPolicy refreshPolicy, StsClient stsClient,
                       Duration connectTimeout, Duration readTimeout, Duration attemptTimeout, Clock clock)
            implements SessionKey {
    }

    /**
     * The key of an EKS Pod Identity session.
     *
     * @param tokenDigest the SHA-256 of a literal authorization token, null when the token comes from a file
     */
    record PodIdentity(URI agent, Path tokenFile, String tokenDigest, RefreshPolicy refreshPolicy,
                       Duration connectTimeout, Duration readTimeout, Duration attemptTimeout, Clock clock)
            implements SessionKey {
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
