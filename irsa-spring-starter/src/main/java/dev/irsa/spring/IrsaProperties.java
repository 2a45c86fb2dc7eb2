package dev.irsa.spring;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code irsa.*} settings. Every one is optional: unset values come from the pod's environment as the AWS SDK
 * reads it ({@code AWS_ROLE_ARN}, {@code AWS_WEB_IDENTITY_TOKEN_FILE}, {@code AWS_REGION}, ...).
 * @since 0.1.0
 */
@ConfigurationProperties(prefix = "irsa")
public class IrsaProperties {
    /** Creates properties holding the defaults; Spring binds {@code irsa.*} onto them. */
    public IrsaProperties() {
    }

    /** Whether to configure IRSA at all. */
    private boolean enabled = true;

    /** IAM role to assume, arn:aws:iam::<account>:role/<name>. Default: AWS_ROLE_ARN. */
    private String roleArn;

    /**
     * Projected service-account token file. Default: AWS_WEB_IDENTITY_TOKEN_FILE.
     */
    // A String, not a Path: Spring converts to Path through the application context's resource loader, which asks
    // every protocol resolver, and Spring Cloud AWS's S3 resolver then wants the S3Client, which needs our
    // AwsCredentialsProvider: a circular reference that failed startup with irsa.token-file set.
    private String tokenFile;

    /** Role session name (2-64 characters of [\w+=,.@-]). Default: AWS_ROLE_SESSION_NAME, else derived from the pod name. */
    private String sessionName;

    /** AWS region whose regional STS endpoint is used. Default: AWS_REGION, then AWS_DEFAULT_REGION. */
    private String region;

    /** STS endpoint override (https, or http to a loopback address). Default: AWS_ENDPOINT_URL_STS or the regional endpoint. */
    private URI stsEndpoint;

    /** Requested session duration (DurationSeconds), 15 minutes to 12 hours, no more than the role allows. */
    private Duration sessionDuration = Duration.ofHours(1);

    /** Inline session policy (IAM JSON, at most 2048 characters) that scopes the session down. */
    private String sessionPolicy;

    /** Managed policy ARNs that scope the session down (at most 10). */
    private List<String> policyArns = new ArrayList<>();

    /** Fetch credentials during startup and fail the application if they cannot be had. */
    private boolean eagerStart;

    /**
     * Fetch the first credentials as the application starts, without delaying startup or failing it, so health is
     * meaningful before the first AWS call and that call does not wait for STS.
     */
    private boolean warmUp = true;

    /** Timeout for connecting to STS. */
    private Duration connectTimeout = Duration.ofSeconds(2);

    /** Timeout for reading STS's answer. */
    private Duration readTimeout = Duration.ofSeconds(5);

    /**
     * Deadline of one call to STS (or the Pod Identity agent) as a whole, answer included; the read timeout bounds
     * each read only. A call past it is aborted and retried with backoff.
     */
    private Duration attemptTimeout = Duration.ofSeconds(10);

    /** Refresh behaviour. */
    private final Refresh refresh = new Refresh();

    /** When and how credentials are refreshed; defaults suit almost everyone. */
    public static class Refresh {
        /** Creates refresh properties holding the defaults. */
        public Refresh() {
        }

        /** Refresh in the background ahead of expiry (otherwise lazily, still off the caller's thread). */
        private boolean background = true;

        /** Before expiry, the window in which callers wait for a refresh rather than take credentials about to expire. */
        private Duration mandatoryWindow = Duration.ofMinutes(1);

        /** First retry delay after a failed refresh (exponential backoff with full jitter). */
        private Duration backoffBase = Duration.ofSeconds(1);

        /** Longest retry delay while the cached credentials are valid. */
        private Duration backoffMax = Duration.ofMinutes(5);

        /** Longest retry delay once no valid credentials are held. */
        private Duration expiredBackoffMax = Duration.ofSeconds(10);

        /** Longest a caller waits for credentials (first fetch, or inside the mandatory window). */
        private Duration waitTimeout = Duration.ofSeconds(10);

        /** How long a non-recoverable error (trust policy, OIDC provider...) is returned before STS is asked again. */
        private Duration nonRecoverableErrorTtl = Duration.ofSeconds(5);

        /**
         * Least time between a successful exchange and the next (0 to 5 min, 0 turns it off); meanwhile its credentials
         * are served even if this node's clock says they expired, so a clock far ahead cannot cause an STS loop.
         */
        // RefreshPolicy.DEFAULT_MINIMUM_REFRESH_INTERVAL, spelled out so that the configuration metadata (what IDEs
        // show) carries the default: the annotation processor cannot read another class's constant.
        private Duration minimumInterval = Duration.ofSeconds(60);

        /**
         * Least time between a successful exchange and the next (0 to 5 min, 0 turns it off); meanwhile its credentials
         * are served even if this node's clock says they expired, so a clock far ahead cannot cause an STS loop.
         *
         * @return the {@code minimumInterval} setting
         */
        public Duration getMinimumInterval() {
            return minimumInterval;
        }

        /**
         * Least time between a successful exchange and the next (0 to 5 min, 0 turns it off); meanwhile its credentials
         * are served even if this node's clock says they expired, so a clock far ahead cannot cause an STS loop.
         *
         * @param minimumInterval the new {@code minimumInterval} setting
         */
        public void setMinimumInterval(Duration minimumInterval) {
            this.minimumInterval = minimumInterval;
        }

        /**
         * Refresh in the background ahead of expiry (otherwise lazily, still off the caller's thread).
         *
         * @return the {@code background} setting
         */
        public boolean isBackground() {
            return background;
        }

        /**
         * Refresh in the background ahead of expiry (otherwise lazily, still off the caller's thread).
         *
         * @param background the new {@code background} setting
         */
        public void setBackground(boolean background) {
            this.background = background;
        }

        /**
         * Before expiry, the window in which callers wait for a refresh rather than take credentials about to expire.
         *
         * @return the {@code mandatoryWindow} setting
         */
        public Duration getMandatoryWindow() {
            return mandatoryWindow;
        }

        /**
         * Before expiry, the window in which callers wait for a refresh rather than take credentials about to expire.
         *
         * @param mandatoryWindow the new {@code mandatoryWindow} setting
         */
        public void setMandatoryWindow(Duration mandatoryWindow) {
            this.mandatoryWindow = mandatoryWindow;
        }

        /**
         * First retry delay after a failed refresh (exponential backoff with full jitter).
         *
         * @return the {@code backoffBase} setting
         */
        public Duration getBackoffBase() {
            return backoffBase;
        }

        /**
         * First retry delay after a failed refresh (exponential backoff with full jitter).
         *
         * @param backoffBase the new {@code backoffBase} setting
         */
        public void setBackoffBase(Duration backoffBase) {
            this.backoffBase = backoffBase;
        }

        /**
         * Longest retry delay while the cached credentials are valid.
         *
         * @return the {@code backoffMax} setting
         */
        public Duration getBackoffMax() {
            return backoffMax;
        }

        /**
         * Longest retry delay while the cached credentials are valid.
         *
         * @param backoffMax the new {@code backoffMax} setting
         */
        public void setBackoffMax(Duration backoffMax) {
            this.backoffMax = backoffMax;
        }

        /**
         * Longest retry delay once no valid credentials are held.
         *
         * @return the {@code expiredBackoffMax} setting
         */
        public Duration getExpiredBackoffMax() {
            return expiredBackoffMax;
        }

        /**
         * Longest retry delay once no valid credentials are held.
         *
         * @param expiredBackoffMax the new {@code expiredBackoffMax} setting
         */
        public void setExpiredBackoffMax(Duration expiredBackoffMax) {
            this.expiredBackoffMax = expiredBackoffMax;
        }

        /**
         * Longest a caller waits for credentials (first fetch, or inside the mandatory window).
         *
         * @return the {@code waitTimeout} setting
         */
        public Duration getWaitTimeout() {
            return waitTimeout;
        }

        /**
         * Longest a caller waits for credentials (first fetch, or inside the mandatory window).
         *
         * @param waitTimeout the new {@code waitTimeout} setting
         */
        public void setWaitTimeout(Duration waitTimeout) {
            this.waitTimeout = waitTimeout;
        }

        /**
         * How long a non-recoverable error (trust policy, OIDC provider...) is returned before STS is asked again.
         *
         * @return the {@code nonRecoverableErrorTtl} setting
         */
        public Duration getNonRecoverableErrorTtl() {
            return nonRecoverableErrorTtl;
        }

        /**
         * How long a non-recoverable error (trust policy, OIDC provider...) is returned before STS is asked again.
         *
         * @param nonRecoverableErrorTtl the new {@code nonRecoverableErrorTtl} setting
         */
        public void setNonRecoverableErrorTtl(Duration nonRecoverableErrorTtl) {
            this.nonRecoverableErrorTtl = nonRecoverableErrorTtl;
        }
    }

    /**
     * Whether to configure IRSA at all.
     *
     * @return the {@code enabled} setting
     */
    public boolean isEnabled() {
        return enabled;
    }

    /**
     * Whether to configure IRSA at all.
     *
     * @param enabled the new {@code enabled} setting
     */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /**
     * IAM role to assume, {@code arn:aws:iam::<account>:role/<name>}. Default: AWS_ROLE_ARN.
     *
     * @return the {@code roleArn} setting
     */
    public String getRoleArn() {
        return roleArn;
    }

    /**
     * IAM role to assume, {@code arn:aws:iam::<account>:role/<name>}. Default: AWS_ROLE_ARN.
     *
     * @param roleArn the new {@code roleArn} setting
     */
    public void setRoleArn(String roleArn) {
        this.roleArn = roleArn;
    }

    /**
     * * Projected service-account token file. Default: AWS_WEB_IDENTITY_TOKEN_FILE.
     *
     * @return the {@code tokenFile} setting
     */
    public String getTokenFile() {
        return tokenFile;
    }

    /**
     * * Projected service-account token file. Default: AWS_WEB_IDENTITY_TOKEN_FILE.
     *
     * @param tokenFile the new {@code tokenFile} setting
     */
    public void setTokenFile(String tokenFile) {
        this.tokenFile = tokenFile;
    }

    /**
     * Role session name (2-64 characters of [\w+=,.@-]). Default: AWS_ROLE_SESSION_NAME, else derived from the pod
     * name.
     *
     * @return the {@code sessionName} setting
     */
    public String getSessionName() {
        return sessionName;
    }

    /**
     * Role session name (2-64 characters of [\w+=,.@-]). Default: AWS_ROLE_SESSION_NAME, else derived from the pod
     * name.
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
     * STS endpoint override (https, or http to a loopback address). Default: AWS_ENDPOINT_URL_STS or the regional
     * endpoint.
     *
     * @return the {@code stsEndpoint} setting
     */
    public URI getStsEndpoint() {
        return stsEndpoint;
    }

    /**
     * STS endpoint override (https, or http to a loopback address). Default: AWS_ENDPOINT_URL_STS or the regional
     * endpoint.
     *
     * @param stsEndpoint the new {@code stsEndpoint} setting
     */
    public void setStsEndpoint(URI stsEndpoint) {
        this.stsEndpoint = stsEndpoint;
    }

    /**
     * Requested session duration (DurationSeconds), 15 minutes to 12 hours, no more than the role allows.
     *
     * @return the {@code sessionDuration} setting
     */
    public Duration getSessionDuration() {
        return sessionDuration;
    }

    /**
     * Requested session duration (DurationSeconds), 15 minutes to 12 hours, no more than the role allows.
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
     * Fetch credentials during startup and fail the application if they cannot be had.
     *
     * @return the {@code eagerStart} setting
     */
    public boolean isEagerStart() {
        return eagerStart;
    }

    /**
     * Fetch credentials during startup and fail the application if they cannot be had.
     *
     * @param eagerStart the new {@code eagerStart} setting
     */
    public void setEagerStart(boolean eagerStart) {
        this.eagerStart = eagerStart;
    }

    /**
     * * Fetch the first credentials as the application starts, without delaying startup or failing it, so health is
     * meaningful before the first AWS call and that call does not wait for STS.
     *
     * @return the {@code warmUp} setting
     */
    public boolean isWarmUp() {
        return warmUp;
    }

    /**
     * * Fetch the first credentials as the application starts, without delaying startup or failing it, so health is
     * meaningful before the first AWS call and that call does not wait for STS.
     *
     * @param warmUp the new {@code warmUp} setting
     */
    public void setWarmUp(boolean warmUp) {
        this.warmUp = warmUp;
    }

    /**
     * Timeout for connecting to STS.
     *
     * @return the {@code connectTimeout} setting
     */
    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    /**
     * Timeout for connecting to STS.
     *
     * @param connectTimeout the new {@code connectTimeout} setting
     */
    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    /**
     * Timeout for reading STS's answer.
     *
     * @return the {@code readTimeout} setting
     */
    public Duration getReadTimeout() {
        return readTimeout;
    }

    /**
     * Timeout for reading STS's answer.
     *
     * @param readTimeout the new {@code readTimeout} setting
     */
    public void setReadTimeout(Duration readTimeout) {
        this.readTimeout = readTimeout;
    }

    /**
     * Deadline of one call to STS (or the Pod Identity agent) as a whole, answer included; the read timeout bounds
     * each read only. A call past it is aborted and retried with backoff.
     *
     * @return the {@code attemptTimeout} setting
     */
    public Duration getAttemptTimeout() {
        return attemptTimeout;
    }

    /**
     * Deadline of one call to STS (or the Pod Identity agent) as a whole, answer included; the read timeout bounds
     * each read only. A call past it is aborted and retried with backoff.
     *
     * @param attemptTimeout the new {@code attemptTimeout} setting
     */
    public void setAttemptTimeout(Duration attemptTimeout) {
        this.attemptTimeout = attemptTimeout;
    }

    /**
     * Refresh behaviour.
     *
     * @return the {@code refresh} setting
     */
    public Refresh getRefresh() {
        return refresh;
    }
}
