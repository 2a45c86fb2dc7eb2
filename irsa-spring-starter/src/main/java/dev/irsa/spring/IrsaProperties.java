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

    /** Refresh behaviour. */
    private final Refresh refresh = new Refresh();

    /** When and how credentials are refreshed; defaults suit almost everyone. */
    public static class Refresh {
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

        public boolean isBackground() {
            return background;
        }

        public void setBackground(boolean background) {
            this.background = background;
        }

        public Duration getMandatoryWindow() {
            return mandatoryWindow;
        }

        public void setMandatoryWindow(Duration mandatoryWindow) {
            this.mandatoryWindow = mandatoryWindow;
        }

        public Duration getBackoffBase() {
            return backoffBase;
        }

        public void setBackoffBase(Duration backoffBase) {
            this.backoffBase = backoffBase;
        }

        public Duration getBackoffMax() {
            return backoffMax;
        }

        public void setBackoffMax(Duration backoffMax) {
            this.backoffMax = backoffMax;
        }

        public Duration getExpiredBackoffMax() {
            return expiredBackoffMax;
        }

        public void setExpiredBackoffMax(Duration expiredBackoffMax) {
            this.expiredBackoffMax = expiredBackoffMax;
        }

        public Duration getWaitTimeout() {
            return waitTimeout;
        }

        public void setWaitTimeout(Duration waitTimeout) {
            this.waitTimeout = waitTimeout;
        }

        public Duration getNonRecoverableErrorTtl() {
            return nonRecoverableErrorTtl;
        }

        public void setNonRecoverableErrorTtl(Duration nonRecoverableErrorTtl) {
            this.nonRecoverableErrorTtl = nonRecoverableErrorTtl;
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getRoleArn() {
        return roleArn;
    }

    public void setRoleArn(String roleArn) {
        this.roleArn = roleArn;
    }

    public String getTokenFile() {
        return tokenFile;
    }

    public void setTokenFile(String tokenFile) {
        this.tokenFile = tokenFile;
    }

    public String getSessionName() {
        return sessionName;
    }

    public void setSessionName(String sessionName) {
        this.sessionName = sessionName;
    }

    public String getRegion() {
        return region;
    }

    public void setRegion(String region) {
        this.region = region;
    }

    public URI getStsEndpoint() {
        return stsEndpoint;
    }

    public void setStsEndpoint(URI stsEndpoint) {
        this.stsEndpoint = stsEndpoint;
    }

    public Duration getSessionDuration() {
        return sessionDuration;
    }

    public void setSessionDuration(Duration sessionDuration) {
        this.sessionDuration = sessionDuration;
    }

    public String getSessionPolicy() {
        return sessionPolicy;
    }

    public void setSessionPolicy(String sessionPolicy) {
        this.sessionPolicy = sessionPolicy;
    }

    public List<String> getPolicyArns() {
        return policyArns;
    }

    public void setPolicyArns(List<String> policyArns) {
        this.policyArns = policyArns;
    }

    public boolean isEagerStart() {
        return eagerStart;
    }

    public void setEagerStart(boolean eagerStart) {
        this.eagerStart = eagerStart;
    }

    public boolean isWarmUp() {
        return warmUp;
    }

    public void setWarmUp(boolean warmUp) {
        this.warmUp = warmUp;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Duration getReadTimeout() {
        return readTimeout;
    }

    public void setReadTimeout(Duration readTimeout) {
        this.readTimeout = readTimeout;
    }

    public Refresh getRefresh() {
        return refresh;
    }
}
