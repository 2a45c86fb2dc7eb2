package dev.irsa.core;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a session's credentials come from. Both sources run on the same engine (snapshot, windows, jitter, single
 * flight, outage tolerance, listener events, {@link SessionState}); only the exchange differs.
 *
 * <p>The automatic choice ({@link #detect(SettingsSource)}), used by {@link IrsaSession#create()}, the SDK provider's
 * {@code create()}, the Spring starter and {@code irsa doctor}:
 * <table>
 *   <caption>which variables select which source</caption>
 *   <tr><th>set (system property or environment variable)</th><th>source</th></tr>
 *   <tr><td>{@code AWS_ROLE_ARN} and {@code AWS_WEB_IDENTITY_TOKEN_FILE}</td><td>{@link #WEB_IDENTITY} (IRSA)</td></tr>
 *   <tr><td>{@code AWS_CONTAINER_CREDENTIALS_FULL_URI} and one of {@code AWS_CONTAINER_AUTHORIZATION_TOKEN} /
 *       {@code AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}</td><td>{@link #POD_IDENTITY} (EKS Pod Identity)</td></tr>
 *   <tr><td>both sets</td><td>{@link #WEB_IDENTITY}, logged once at INFO</td></tr>
 *   <tr><td>neither</td><td>none: not configured</td></tr>
 * </table>
 * IRSA wins when both are present because that is the order of the AWS SDKs' default credential chains (web
 * identity before container credentials) and of the EKS documentation: a pod migrating between the two behaves the
 * same with or without this library, and adding a Pod Identity association never silently changes the role of a
 * pod that still has the IRSA annotation. {@code AWS_CONTAINER_CREDENTIALS_RELATIVE_URI} (ECS) selects nothing.
 * @since 0.1.0
 */
public enum CredentialSource {
    /** IRSA: {@code sts:AssumeRoleWithWebIdentity} with the projected token. */
    WEB_IDENTITY("web-identity"),
    /** EKS Pod Identity: the node's Pod Identity agent, with the projected token as authorization. */
    POD_IDENTITY("pod-identity");

    private static final Logger log = LoggerFactory.getLogger(CredentialSource.class);
    private static volatile boolean bothLogged;

    private final String tag;

    CredentialSource(String tag) {
        this.tag = tag;
    }

    /**
     * The value of the {@code source} metric tag and health detail: {@code web-identity} or {@code pod-identity}.
     *
     * @return {@code web-identity} or {@code pod-identity}
     */
    public String tag() {
        return tag;
    }

    /**
     * The source the settings select (see the table above), or empty when neither is configured. When both are, logs
     * once per process at INFO that IRSA wins.
     *
     * @param settings where system properties and environment variables are read from
     * @return the selected source, or empty
     */
    public static Optional<CredentialSource> detect(SettingsSource settings) {
        boolean irsa = IrsaConfig.isConfigured(settings);
        boolean pod = PodIdentityConfig.isConfigured(settings);
        if (irsa && pod) {
            if (!bothLogged) {
                bothLogged = true;
                log.info("Both IRSA (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE) and EKS Pod Identity"
                        + " (AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) are configured;"
                        + " using IRSA, as the AWS SDKs do. Remove the eks.amazonaws.com/role-arn annotation from the"
                        + " ServiceAccount (and restart the pod) to use Pod Identity.");
            }
            return Optional.of(WEB_IDENTITY);
        }
        return irsa ? Optional.of(WEB_IDENTITY) : pod ? Optional.of(POD_IDENTITY) : Optional.empty();
    }

    /**
     * Whether either source is configured.
     *
     * @param settings where system properties and environment variables are read from
     * @return true if IRSA or EKS Pod Identity is configured
     */
    public static boolean anyConfigured(SettingsSource settings) {
        return IrsaConfig.isConfigured(settings) || PodIdentityConfig.isConfigured(settings);
    }
}
