package dev.irsa.quarkus.internal;

import dev.irsa.core.CredentialSource;
import dev.irsa.core.IrsaException;
import dev.irsa.core.RefreshListener;
import dev.irsa.core.RefreshPolicy;
import dev.irsa.core.SettingsSource;
import dev.irsa.quarkus.IrsaRuntimeConfig;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Builds the extension's provider from {@code quarkus.irsa.*}, checking the configuration as it does. */
public final class Providers {
    private static final Logger log = Logger.getLogger(Providers.class);

    private Providers() {
    }

    /**
     * The provider {@code quarkus.irsa.*} describes.
     *
     * @throws ConfigurationException when IRSA or Pod Identity is configured but a value is unusable (the message says
     *         which and what to change)
     * @throws IllegalStateException when eager start is on and no credentials could be had
     */
    static IrsaCredentialsProvider create(IrsaRuntimeConfig c, SettingsSource settings, List<RefreshListener> listeners) {
        boolean configured = configured(c.roleArn(), c.tokenFile(), settings);
        IrsaCredentialsProvider.Builder b;
        try {
            b = builder(c, settings);
        } catch (IllegalArgumentException | IrsaException e) {
            throw invalid(e.getMessage(), e);
        }
        listeners.forEach(b::addListener);
        // Built without eager start, whatever quarkus.irsa.eager-start says: the settings are then decided once, below,
        // by the provider's own validation. The builder's eager start would fail a bad setting as "no credentials".
        IrsaCredentialsProvider provider = b.eagerStart(false).build();
        if (provider.unavailableReason().isPresent()) {
            // the adapter's "IRSA is not configured: " prefix is misleading once something was configured
            String reason = provider.unavailableReason().get().replaceFirst("^IRSA is not configured: ", "");
            if (configured) {
                provider.close();
                throw invalid(reason, null);
            }
            if (!c.eagerStart()) {
                log.infof("quarkus.irsa: neither IRSA nor EKS Pod Identity is configured (no AWS_ROLE_ARN /"
                        + " AWS_WEB_IDENTITY_TOKEN_FILE, no quarkus.irsa.role-arn / quarkus.irsa.token-file, no"
                        + " AWS_CONTAINER_CREDENTIALS_FULL_URI): the 'irsa' AwsCredentialsProvider bean will fail every"
                        + " call with that reason, and the readiness check reports DOWN");
            }
        }
        if (c.eagerStart()) {
            // What the builder's eager start does (the session's first fetch, waited for), on the provider built above.
            try {
                provider.resolveCredentials();
            } catch (SdkClientException e) {
                provider.close();
                throw new IllegalStateException("quarkus.irsa.eager-start=true and no AWS credentials could be had at"
                        + " startup: " + e.getMessage() + " (set quarkus.irsa.eager-start=false to start anyway and"
                        + " report it through the readiness check instead)", e);
            }
        }
        return provider;
    }

    /**
     * Whether IRSA or EKS Pod Identity is configured: {@code quarkus.irsa.role-arn} or {@code token-file}, or the pod's
     * variables. The bean's test, and {@link QuarkiverseCredentials}'s (which must agree with it).
     */
    static boolean configured(Optional<?> roleArn, Optional<?> tokenFile, SettingsSource settings) {
        return roleArn.isPresent() || tokenFile.isPresent() || CredentialSource.anyConfigured(settings);
    }

    private static ConfigurationException invalid(String message, Throwable cause) {
        ConfigurationException e = new ConfigurationException("Invalid IRSA configuration (quarkus.irsa.* or the"
                + " pod's AWS_* variables): " + message, Set.of("quarkus.irsa"));
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    private static Duration minimumInterval(IrsaRuntimeConfig.Refresh r) {
        Duration d = r.minimumInterval();
        if (d.isNegative() || d.compareTo(RefreshPolicy.MAX_MINIMUM_REFRESH_INTERVAL) > 0) {
            throw new IllegalArgumentException("quarkus.irsa.refresh.minimum-interval must be between 0 (off) and 5M"
                    + " (credentials served inside it must still be valid at AWS, and STS's shortest last 15 min),"
                    + " not " + d);
        }
        return d;
    }

    /** The provider's configuration from {@code quarkus.irsa.*}: mirrors the Spring starter's. */
    static IrsaCredentialsProvider.Builder builder(IrsaRuntimeConfig c, SettingsSource settings) {
        IrsaRuntimeConfig.Refresh r = c.refresh();
        IrsaCredentialsProvider.Builder b = IrsaCredentialsProvider.builder()
                .settings(settings)
                .sessionDuration(c.sessionDuration())
                .policyArns(c.policyArns().orElse(List.of()))
                .timeouts(c.connectTimeout(), c.readTimeout())
                .attemptTimeout(c.attemptTimeout())
                .refreshPolicy(RefreshPolicy.builder()
                        .backgroundRefresh(r.background())
                        .mandatoryWindow(r.mandatoryWindow())
                        .backoffBase(r.backoffBase())
                        .backoffMax(r.backoffMax())
                        .expiredBackoffMax(r.expiredBackoffMax())
                        .waitTimeout(r.waitTimeout())
                        .nonRecoverableErrorTtl(r.nonRecoverableErrorTtl())
                        .minimumRefreshInterval(minimumInterval(r))
                        .build());
        c.roleArn().ifPresent(b::roleArn);
        c.tokenFile().ifPresent(b::tokenFile);
        c.sessionName().ifPresent(b::roleSessionName);
        c.region().ifPresent(b::region);
        c.stsEndpoint().ifPresent(b::stsEndpoint);
        c.sessionPolicy().ifPresent(b::sessionPolicy);
        return b;
    }
}
