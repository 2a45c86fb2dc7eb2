package dev.irsa.micronaut;

import dev.irsa.core.RefreshPolicy;
import io.micronaut.context.annotation.BootstrapContextCompatible;
import io.micronaut.context.annotation.ConfigurationProperties;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code irsa.*} settings, with the same names and meanings as the Spring Boot starter's. Every one is optional:
 * unset values come from the pod's environment as the AWS SDK reads it ({@code AWS_ROLE_ARN},
 * {@code AWS_WEB_IDENTITY_TOKEN_FILE}, {@code AWS_REGION}, ...). Validated when the application starts (see
 * {@link IrsaFactory}).
 * @since 0.1.0
 */
@ConfigurationProperties(IrsaConfiguration.PREFIX)
@BootstrapContextCompatible
public class IrsaConfiguration {
    /** The prefix of every setting: {@value}. */
    public static final String PREFIX = "irsa";

    /** Creates settings holding the defaults; Micronaut binds {@code irsa.*} onto them. */
    public IrsaConfiguration() {
    }

    /** Whether to configure IRSA at all (default true). */
    private boolean enabled = true;
    /** IAM role to assume, arn:aws:iam::&lt;account&gt;:role/&lt;name&gt;. Default: AWS_ROLE_ARN. */
    private String roleArn;
    /** Projected service-account token file. Default: AWS_WEB_IDENTITY_TOKEN_FILE. */
    private String tokenFile;
    /** Role session name (2-64 characters of [\w+=,.@-]). Default: AWS_ROLE_SESSION_NAME, else derived from the pod name. */
    private String sessionName;
    /** AWS region whose regional STS endpoint is used. Default: AWS_REGION, then AWS_DEFAULT_REGION. */
    private String region;
    /** STS endpoint override (https, or http to a loopback address). Default: AWS_ENDPOINT_URL_STS or the regional endpoint. */
    private URI stsEndpoint;
    /** Requested session duration (DurationSeconds), 15 minutes to 12 hours, no more than the role allows (default 1h). */
    private Duration sessionDuration = Duration.ofHours(1);
    /** Inline session policy (IAM JSON, at most 2048 characters) that scopes the session down. */
    private String sessionPolicy;
    /** Managed policy ARNs that scope the session down (at most 10). */
    private List<String> policyArns = new ArrayList<>();
    /** Fetch credentials during startup and fail the application if they cannot be had (default false). */
    private boolean eagerStart;
    /** Fetch the first credentials as the application starts, without delaying startup or failing it, so health is meaningful before the first AWS call and that call does not wait for STS (default true). */
    private boolean warmUp = true;
    /** Timeout for connecting to STS (default 2s). */
    private Duration connectTimeout = Duration.ofSeconds(2);
    /** Timeout for reading STS's answer (default 5s). */
    private Duration readTimeout = Duration.ofSeconds(5);
    /** Deadline of one call to STS (or the Pod Identity agent) as a whole, answer included; the read timeout bounds each read only. A call past it is aborted and retried with backoff (default 10s). */
    private Duration attemptTimeout = Duration.ofSeconds(10);

    /**
     * Whether to configure IRSA at all (default true).
     *
     * @return the {@code enabled} setting
     */
    public boolean isEnabled() {
        return enabled;
    }

    /**
     * Whether to configure IRSA at all (default true).
     *
     * @param enabled the new {@code enabled} setting
     */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /**
     * IAM role to assume, arn:aws:iam::&lt;account&gt;:role/&lt;name&gt;. Default: AWS_ROLE_ARN.
     *
     * @return the {@code roleArn} setting
     */
    public String getRoleArn() {
        return roleArn;
    }

    /**
     * IAM role to assume, arn:aws:iam::&lt;account&gt;:role/&lt;name&gt;. Default: AWS_ROLE_ARN.
     *
     * @param roleArn the new {@code roleArn} setting
     */
    public void setRoleArn(String roleArn) {
        this.roleArn = roleArn;
    }

    /**
     * Projected service-account token file. Default: AWS_WEB_IDENTITY_TOKEN_FILE.
     *
     * @return the {@code tokenFile} setting
     */
    public String getTokenFile() {
        return tokenFile;
    }

    /**
     * Projected service-account token file. Default: AWS_WEB_IDENTITY_TOKEN_FILE.
     *
     * @param tokenFile the new {@code tokenFile} setting
     */
    public void setTokenFile(String tokenFile) {
        this.tokenFile = tokenFile;
    }

    /**
     * Role session name (2-64 characters of [\w+=,.@-]). Default: AWS_ROLE_SESSION_NAME, else derived from the pod name.
     *
     * @return the {@code sessionName} setting
     */
    public String getSessionName() {
        return sessionName;
    }

    /**
     * Role session name (2-64 characters of [\w+=,.@-]). Default: AWS_ROLE_SESSION_NAME, else derived from the pod name.
     *
     * @param sessionName the new {@code sessionName} setting
     */
    public void setSessionName(String sessionName) {
        this.sessionName = sessionName;
    }

    /**
     * AWS region whose regional STS endpoint is used. Default: AWS_REGION, then AWS_DEFAULT_REGION.
     *
     * @return the {@code region} setting
     */
    public String getRegion() {
        return region;
    }

    /**
     * AWS region whose regional STS endpoint is used. Default: AWS_REGION, then AWS_DEFAULT_REGION.
     *
     * @param region the new {@code region} setting
     */
    public void setRegion(String region) {
        this.region = region;
    }

    /**
     * STS endpoint override (https, or http to a loopback address). Default: AWS_ENDPOINT_URL_STS or the regional endpoint.
     *
     * @return the {@code stsEndpoint} setting
     */
    public URI getStsEndpoint() {
        return stsEndpoint;
    }

    /**
     * STS endpoint override (https, or http to a loopback address). Default: AWS_ENDPOINT_URL_STS or the regional endpoint.
     *
     * @param stsEndpoint the new {@code stsEndpoint} setting
     */
    public void setStsEndpoint(URI stsEndpoint) {
        this.stsEndpoint = stsEndpoint;
    }

    /**
     * Requested session duration (DurationSeconds), 15 minutes to 12 hours, no more than the role allows (default 1h).
     *
     * @return the {@code sessionDuration} setting
     */
    public Duration getSessionDuration() {
        return sessionDuration;
    }

    /**
     * Requested session duration (DurationSeconds), 15 minutes to 12 hours, no more than the role allows (default 1h).
     *
     * @param sessionDuration the new {@code sessionDuration} setting
     */
    public void setSessionDuration(Duration sessionDuration) {
        this.sessionDuration = sessionDuration;
    }

    /**
     * Inline session policy (IAM JSON, at most 2048 characters) that scopes the session down.
     *
     * @return the {@code sessionPolicy} setting
     */
    public String getSessionPolicy() {
        return sessionPolicy;
    }

    /**
     * Inline session policy (IAM JSON, at most 2048 characters) that scopes the session down.
     *
     * @param sessionPolicy the new {@code sessionPolicy} setting
     */
    public void setSessionPolicy(String sessionPolicy) {
        this.sessionPolicy = sessionPolicy;
    }

    /**
     * Managed policy ARNs that scope the session down (at most 10).
     *
     * @return the {@code policyArns} setting
     */
    public List<String> getPolicyArns() {
        return policyArns;
    }

    /**
     * Managed policy ARNs that scope the session down (at most 10).
     *
     * @param policyArns the new {@code policyArns} setting
     */
    public void setPolicyArns(List<String> policyArns) {
        this.policyArns = policyArns;
    }

    /**
     * Fetch credentials during startup and fail the application if they cannot be had (default false).
     *
     * @return the {@code eagerStart} setting
     */
    public boolean isEagerStart() {
        return eagerStart;
    }

    /**
     * Fetch credentials during startup and fail the application if they cannot be had (default false).
     *
     * @param eagerStart the new {@code eagerStart} setting
     */
    public void setEagerStart(boolean eagerStart) {
        this.eagerStart = eagerStart;
    }

    /**
     * Fetch the first credentials as the application starts, without delaying startup or failing it, so health is meaningful before the first AWS call and that call does not wait for STS (default true).
     *
     * @return the {@code warmUp} setting
     */
    public boolean isWarmUp() {
        return warmUp;
    }

    /**
     * Fetch the first credentials as the application starts, without delaying startup or failing it, so health is meaningful before the first AWS call and that call does not wait for STS (default true).
     *
     * @param warmUp the new {@code warmUp} setting
     */
    public void setWarmUp(boolean warmUp) {
        this.warmUp = warmUp;
    }

    /**
     * Timeout for connecting to STS (default 2s).
     *
     * @return the {@code connectTimeout} setting
     */
    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    /**
     * Timeout for connecting to STS (default 2s).
     *
     * @param connectTimeout the new {@code connectTimeout} setting
     */
    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    /**
     * Timeout for reading STS's answer (default 5s).
     *
     * @return the {@code readTimeout} setting
     */
    public Duration getReadTimeout() {
        return readTimeout;
    }

    /**
     * Timeout for reading STS's answer (default 5s).
     *
     * @param readTimeout the new {@code readTimeout} setting
     */
    public void setReadTimeout(Duration readTimeout) {
        this.readTimeout = readTimeout;
    }

    /**
     * Deadline of one call to STS (or the Pod Identity agent) as a whole, answer included; the read timeout bounds each read only. A call past it is aborted and retried with backoff (default 10s).
     *
     * @return the {@code attemptTimeout} setting
     */
    public Duration getAttemptTimeout() {
        return attemptTimeout;
    }

    /**
     * Deadline of one call to STS (or the Pod Identity agent) as a whole, answer included; the read timeout bounds each read only. A call past it is aborted and retried with backoff (default 10s).
     *
     * @param attemptTimeout the new {@code attemptTimeout} setting
     */
    public void setAttemptTimeout(Duration attemptTimeout) {
        this.attemptTimeout = attemptTimeout;
    }

    /** Refresh behaviour ({@code irsa.refresh.*}). */
    private Refresh refresh = new Refresh();

    /**
     * Refresh behaviour ({@code irsa.refresh.*}).
     *
     * @return the refresh settings
     */
    public Refresh getRefresh() {
        return refresh;
    }

    /**
     * Refresh behaviour ({@code irsa.refresh.*}); Micronaut sets the bound instance.
     *
     * @param refresh the refresh settings
     */
    public void setRefresh(Refresh refresh) {
        this.refresh = refresh;
    }

    /** When and how credentials are refreshed ({@code irsa.refresh.*}); defaults suit almost everyone. */
    @ConfigurationProperties("refresh")
    @BootstrapContextCompatible
    public static class Refresh {
        /** Creates refresh settings holding the defaults. */
        public Refresh() {
        }

        /** Refresh in the background ahead of expiry (otherwise lazily, still off the caller's thread; default true). */
        private boolean background = true;
        /** Before expiry, the window in which callers wait for a refresh rather than take credentials about to expire (default 1m). */
        private Duration mandatoryWindow = Duration.ofMinutes(1);
        /** First retry delay after a failed refresh (exponential backoff with full jitter; default 1s). */
        private Duration backoffBase = Duration.ofSeconds(1);
        /** Longest retry delay while the cached credentials are valid (default 5m). */
        private Duration backoffMax = Duration.ofMinutes(5);
        /** Longest retry delay once no valid credentials are held (default 10s). */
        private Duration expiredBackoffMax = Duration.ofSeconds(10);
        /** Longest a caller waits for credentials (first fetch, or inside the mandatory window; default 10s). */
        private Duration waitTimeout = Duration.ofSeconds(10);
        /** How long a non-recoverable error (trust policy, OIDC provider...) is returned before STS is asked again (default 5s). */
        private Duration nonRecoverableErrorTtl = Duration.ofSeconds(5);
        /**
         * Least time between two successful exchanges, whatever asks; within it their credentials are served even when
         * this node's clock says they are expired (a clock far ahead; at most 5m, 0s turns it off; default 60s).
         */
        private Duration minimumInterval = RefreshPolicy.DEFAULT_MINIMUM_REFRESH_INTERVAL;

        /**
         * Refresh in the background ahead of expiry (otherwise lazily, still off the caller's thread; default true).
         *
         * @return the {@code background} setting
         */
        public boolean isBackground() {
            return background;
        }

        /**
         * Refresh in the background ahead of expiry (otherwise lazily, still off the caller's thread; default true).
         *
         * @param background the new {@code background} setting
         */
        public void setBackground(boolean background) {
            this.background = background;
        }

        /**
         * Before expiry, the window in which callers wait for a refresh rather than take credentials about to expire (default 1m).
         *
         * @return the {@code mandatoryWindow} setting
         */
        public Duration getMandatoryWindow() {
            return mandatoryWindow;
        }

        /**
         * Before expiry, the window in which callers wait for a refresh rather than take credentials about to expire (default 1m).
         *
         * @param mandatoryWindow the new {@code mandatoryWindow} setting
         */
        public void setMandatoryWindow(Duration mandatoryWindow) {
            this.mandatoryWindow = mandatoryWindow;
        }

        /**
         * First retry delay after a failed refresh (exponential backoff with full jitter; default 1s).
         *
         * @return the {@code backoffBase} setting
         */
        public Duration getBackoffBase() {
            return backoffBase;
        }

        /**
         * First retry delay after a failed refresh (exponential backoff with full jitter; default 1s).
         *
         * @param backoffBase the new {@code backoffBase} setting
         */
        public void setBackoffBase(Duration backoffBase) {
            this.backoffBase = backoffBase;
        }

        /**
         * Longest retry delay while the cached credentials are valid (default 5m).
         *
         * @return the {@code backoffMax} setting
         */
        public Duration getBackoffMax() {
            return backoffMax;
        }

        /**
         * Longest retry delay while the cached credentials are valid (default 5m).
         *
         * @param backoffMax the new {@code backoffMax} setting
         */
        public void setBackoffMax(Duration backoffMax) {
            this.backoffMax = backoffMax;
        }

        /**
         * Longest retry delay once no valid credentials are held (default 10s).
         *
         * @return the {@code expiredBackoffMax} setting
         */
        public Duration getExpiredBackoffMax() {
            return expiredBackoffMax;
        }

        /**
         * Longest retry delay once no valid credentials are held (default 10s).
         *
         * @param expiredBackoffMax the new {@code expiredBackoffMax} setting
         */
        public void setExpiredBackoffMax(Duration expiredBackoffMax) {
            this.expiredBackoffMax = expiredBackoffMax;
        }

        /**
         * Longest a caller waits for credentials (first fetch, or inside the mandatory window; default 10s).
         *
         * @return the {@code waitTimeout} setting
         */
        public Duration getWaitTimeout() {
            return waitTimeout;
        }

        /**
         * Longest a caller waits for credentials (first fetch, or inside the mandatory window; default 10s).
         *
         * @param waitTimeout the new {@code waitTimeout} setting
         */
        public void setWaitTimeout(Duration waitTimeout) {
            this.waitTimeout = waitTimeout;
        }

        /**
         * How long a non-recoverable error (trust policy, OIDC provider...) is returned before STS is asked again (default 5s).
         *
         * @return the {@code nonRecoverableErrorTtl} setting
         */
        public Duration getNonRecoverableErrorTtl() {
            return nonRecoverableErrorTtl;
        }

        /**
         * How long a non-recoverable error (trust policy, OIDC provider...) is returned before STS is asked again (default 5s).
         *
         * @param nonRecoverableErrorTtl the new {@code nonRecoverableErrorTtl} setting
         */
        public void setNonRecoverableErrorTtl(Duration nonRecoverableErrorTtl) {
            this.nonRecoverableErrorTtl = nonRecoverableErrorTtl;
        }

        /**
         * Least time between two successful exchanges ({@code irsa.refresh.minimum-interval}); within it their
         * credentials are served even when this node's clock says they are expired (a clock far ahead that nothing
         * could detect costs one exchange per interval). At most 5m; 0s turns it off (an emulator granting
         * seconds-long credentials); default 60s.
         *
         * @return the {@code minimumInterval} setting
         */
        public Duration getMinimumInterval() {
            return minimumInterval;
        }

        /**
         * Least time between two successful exchanges ({@code irsa.refresh.minimum-interval}); see
         * {@link #getMinimumInterval()}.
         *
         * @param minimumInterval the new {@code minimumInterval} setting
         */
        public void setMinimumInterval(Duration minimumInterval) {
            this.minimumInterval = minimumInterval;
        }

    }
}
