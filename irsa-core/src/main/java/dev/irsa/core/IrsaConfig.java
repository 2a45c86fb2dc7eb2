package dev.irsa.core;

import dev.irsa.core.internal.AttemptTimeouts;
import dev.irsa.core.internal.StsEndpoints;
import dev.irsa.core.internal.SessionNames;
import dev.irsa.core.internal.SessionKey;
import dev.irsa.core.internal.SessionPolicies;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Resolved, validated configuration of an IRSA session. Immutable and thread-safe.
 *
 * <p>Each setting is resolved in this order: the builder's explicit value, the Java system property, the
 * environment variable (as the AWS SDK names them):
 * <table>
 *   <caption>settings</caption>
 *   <tr><td>role ARN</td><td>{@code aws.roleArn}</td><td>{@code AWS_ROLE_ARN}</td></tr>
 *   <tr><td>token file</td><td>{@code aws.webIdentityTokenFile}</td><td>{@code AWS_WEB_IDENTITY_TOKEN_FILE}</td></tr>
 *   <tr><td>session name</td><td>{@code aws.roleSessionName}</td><td>{@code AWS_ROLE_SESSION_NAME} (default: from the pod's host name, unique per process)</td></tr>
 *   <tr><td>region</td><td>{@code aws.region}</td><td>{@code AWS_REGION}, then {@code AWS_DEFAULT_REGION}</td></tr>
 *   <tr><td>STS endpoint</td><td>{@code aws.endpointUrlSts}</td><td>{@code AWS_ENDPOINT_URL_STS}, then {@code AWS_ENDPOINT_URL} (default: the region's regional endpoint)</td></tr>
 * </table>
 * There is no silent fallback to us-east-1 or to the global endpoint: without a region or an endpoint
 * {@link Builder#build()} fails and says which variable to set.
 * @since 0.1.0
 */
public final class IrsaConfig {
    /** Where the EKS pod identity webhook mounts the projected service-account token for IRSA. */
    public static final Path EKS_TOKEN_FILE = Path.of("/var/run/secrets/eks.amazonaws.com/serviceaccount/token");

    private final RoleArn roleArn;
    private final Path tokenFile;
    private final String roleSessionName;
    private final String region;
    private final URI stsEndpoint;
    private final Duration sessionDuration;
    private final String sessionPolicy;
    private final List<String> policyArns;
    private final RefreshPolicy refreshPolicy;
    private final boolean eagerStart;
    private final StsClient stsClient;
    private final List<RefreshListener> listeners;
    private final Clock clock;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration attemptTimeout;
    private final boolean regionalEndpointsLegacyRequested;
    private final Builder explicit;

    private IrsaConfig(Builder b, RoleArn roleArn, Path tokenFile, String sessionName, String region, URI endpoint,
                       boolean legacy) {
        this.roleArn = roleArn;
        this.tokenFile = tokenFile;
        this.roleSessionName = sessionName;
        this.region = region;
        this.stsEndpoint = endpoint;
        this.sessionDuration = b.sessionDuration;
        this.sessionPolicy = b.sessionPolicy;
        this.policyArns = List.copyOf(b.policyArns);
        this.refreshPolicy = b.refreshPolicy;
        this.eagerStart = b.eagerStart;
        this.stsClient = b.stsClient;
        this.listeners = List.copyOf(b.listeners);
        this.clock = b.clock;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.attemptTimeout = b.attemptTimeout;
        this.regionalEndpointsLegacyRequested = legacy;
        this.explicit = b.copy();
    }

    /** {@return a new builder with no explicit values} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The builder this configuration was built from (explicit values only; the rest is resolved again).
     *
     * @return a copy of that builder
     */
    public Builder toBuilder() {
        return explicit.copy();
    }

    /**
     * Whether the role and token file are set, by builder or {@code settings} (what the EKS webhook injects).
     *
     * @param settings where system properties and environment variables are read from
     * @return true if both {@code aws.roleArn}/{@code AWS_ROLE_ARN} and
     *         {@code aws.webIdentityTokenFile}/{@code AWS_WEB_IDENTITY_TOKEN_FILE} are set
     */
    public static boolean isConfigured(SettingsSource settings) {
        return settings.first("aws.roleArn", "AWS_ROLE_ARN").isPresent()
                && settings.first("aws.webIdentityTokenFile", "AWS_WEB_IDENTITY_TOKEN_FILE").isPresent();
    }

    /** {@return the role to assume} */
    public RoleArn roleArn() {
        return roleArn;
    }

    /** {@return the projected service-account token file} */
    public Path tokenFile() {
        return tokenFile;
    }

    /** {@return the role session name, explicit or derived from the host (pod) name} */
    public String roleSessionName() {
        return roleSessionName;
    }

    /**
     * The region, or empty when only an endpoint was configured.
     *
     * @return the resolved region, or empty
     */
    public Optional<String> region() {
        return Optional.ofNullable(region);
    }

    /** {@return the STS endpoint: the configured override or the region's regional endpoint} */
    public URI stsEndpoint() {
        return stsEndpoint;
    }

    /** {@return the requested session duration ({@code DurationSeconds})} */
    public Duration sessionDuration() {
        return sessionDuration;
    }

    /** {@return the inline session policy, or empty when none is set} */
    public Optional<String> sessionPolicy() {
        return Optional.ofNullable(sessionPolicy);
    }

    /** {@return the managed policy ARNs that scope the session down; unmodifiable, empty when none} */
    public List<String> policyArns() {
        return policyArns;
    }

    /** {@return when and how credentials are refreshed} */
    public RefreshPolicy refreshPolicy() {
        return refreshPolicy;
    }

    /** {@return whether credentials are fetched while building the session, failing there if they cannot be had} */
    public boolean eagerStart() {
        return eagerStart;
    }

    /**
     * The user's own client, if one was given; otherwise the session builds (and closes) its own.
     *
     * @return the caller's STS client, or empty
     */
    public Optional<StsClient> stsClient() {
        return Optional.ofNullable(stsClient);
    }

    /** {@return the listeners told about each refresh, in the order added; unmodifiable} */
    public List<RefreshListener> listeners() {
        return listeners;
    }

    /** {@return the wall clock that credential expiry is compared with} */
    public Clock clock() {
        return clock;
    }

    /** {@return the connect timeout of the STS HTTP client the session builds} */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** {@return the read timeout of the STS HTTP client the session builds} */
    public Duration readTimeout() {
        return readTimeout;
    }

    /**
     * The deadline of one STS call as a whole (connect, send, the whole answer); see
     * {@link Builder#attemptTimeout(Duration)}.
     *
     * @return the attempt deadline; default 10 s
     * @since 0.1.0
     */
    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    /**
     * Whether {@code AWS_STS_REGIONAL_ENDPOINTS=legacy} was set (we use the regional endpoint regardless).
     *
     * @return true if the environment variable {@code AWS_STS_REGIONAL_ENDPOINTS} is {@code legacy}
     */
    public boolean regionalEndpointsLegacyRequested() {
        return regionalEndpointsLegacyRequested;
    }

    /**
     * What differs between this configuration and {@code other} among the settings that decide whether two providers
     * share one session (and so one principal): role, token file, session name, STS endpoint, session duration and
     * policies, refresh policy, the application's own STS client, timeouts and clock. Each entry names the setting (its
     * {@code irsa.*} property and environment variable, or builder method) and both values, shortened to 40
     * characters; none of these settings is a secret (an STS client is shown only as set or not). The comparison is
     * that of the key the process-wide registry shares sessions by, so the list is empty exactly when
     * {@link IrsaSession#shared(IrsaConfig)} gives both one session. The one comparison behind the Spring starter's
     * config-import check and irsa-kafka's check of Kafka clients built outside Spring.
     *
     * @param other the configuration to compare with
     * @param thisName how the entries call this configuration, e.g. {@code "application"}
     * @param otherName how they call {@code other}
     * @return one entry per setting that differs, in a fixed order; empty when both share one session
     * @since 0.1.0
     */
    public List<String> sessionDifferences(IrsaConfig other, String thisName, String otherName) {
        Objects.requireNonNull(other, "other");
        return SessionKey.differences(SessionKey.of(this), thisName, SessionKey.of(other), otherName);
    }

    @Override
    public String toString() {
        return "IrsaConfig[role=" + roleArn + ", tokenFile=" + tokenFile + ", session=" + roleSessionName + ", region="
                + region + ", endpoint=" + stsEndpoint + ", duration=" + sessionDuration + ", sessionPolicy="
                + (sessionPolicy == null ? "none" : sessionPolicy.length() + " chars") + ", policyArns=" + policyArns
                + ", " + refreshPolicy + ", eagerStart=" + eagerStart + "]";
    }

    /**
     * Collects explicit values; {@link #build()} resolves the rest from the {@link SettingsSource} and validates.
     * Not thread-safe.
     */
    public static final class Builder {
        private String roleArn;
        private Path tokenFile;
        private String roleSessionName;
        private String region;
        private URI stsEndpoint;
        private Duration sessionDuration = Duration.ofHours(1);
        private String sessionPolicy;
        private List<String> policyArns = new ArrayList<>();
        private RefreshPolicy refreshPolicy = RefreshPolicy.defaults();
        private boolean eagerStart;
        private StsClient stsClient;
        private List<RefreshListener> listeners = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration readTimeout = Duration.ofSeconds(5);
        private Duration attemptTimeout = AttemptTimeouts.DEFAULT;
        private SettingsSource settings = SettingsSource.system();

        private Builder() {}

        /**
         * An independent copy of this builder's explicit values.
         *
         * @return a new builder
         */
        public Builder copy() {
            Builder b = new Builder();
            b.roleArn = roleArn;
            b.tokenFile = tokenFile;
            b.roleSessionName = roleSessionName;
            b.region = region;
            b.stsEndpoint = stsEndpoint;
            b.sessionDuration = sessionDuration;
            b.sessionPolicy = sessionPolicy;
            b.policyArns = new ArrayList<>(policyArns);
            b.refreshPolicy = refreshPolicy;
            b.eagerStart = eagerStart;
            b.stsClient = stsClient;
            b.listeners = new ArrayList<>(listeners);
            b.clock = clock;
            b.connectTimeout = connectTimeout;
            b.readTimeout = readTimeout;
            b.attemptTimeout = attemptTimeout;
            b.settings = settings;
            return b;
        }

        /**
         * The IAM role to assume ({@code arn:aws:iam::<account>:role/<name>}).
         *
         * @param roleArn the role ARN, or null to resolve it from the settings
         * @return this builder
         */
        public Builder roleArn(String roleArn) {
            this.roleArn = roleArn;
            return this;
        }

        /**
         * The projected service-account token file.
         *
         * @param tokenFile the token file, or null to resolve it from the settings
         * @return this builder
         */
        public Builder tokenFile(Path tokenFile) {
            this.tokenFile = tokenFile;
            return this;
        }

        /**
         * 2–64 characters of {@code [\w+=,.@-]}; by default derived from the host (pod) name.
         *
         * @param roleSessionName the session name, or null to resolve it
         * @return this builder
         */
        public Builder roleSessionName(String roleSessionName) {
            this.roleSessionName = roleSessionName;
            return this;
        }

        /**
         * The region whose regional STS endpoint is used.
         *
         * @param region the region, e.g. {@code eu-west-1}, or null to resolve it from the settings
         * @return this builder
         */
        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /**
         * Overrides the regional STS endpoint (plain HTTP is refused unless the host is loopback).
         *
         * @param stsEndpoint the STS endpoint, or null to resolve it
         * @return this builder
         */
        public Builder stsEndpoint(URI stsEndpoint) {
            this.stsEndpoint = stsEndpoint;
            return this;
        }

        /**
         * {@code DurationSeconds}: 900 s to 43,200 s (and no more than the role's maximum); default 1 h.
         *
         * @param sessionDuration the requested session duration
         * @return this builder
         */
        public Builder sessionDuration(Duration sessionDuration) {
            this.sessionDuration = Objects.requireNonNull(sessionDuration, "sessionDuration");
            return this;
        }

        /**
         * An inline session policy (at most 2,048 characters) that scopes the session down.
         *
         * @param sessionPolicy the IAM policy JSON, or null for none
         * @return this builder
         */
        public Builder sessionPolicy(String sessionPolicy) {
            this.sessionPolicy = sessionPolicy;
            return this;
        }

        /**
         * Managed policy ARNs that scope the session down (at most 10).
         *
         * @param policyArns the policy ARNs
         * @return this builder
         */
        public Builder policyArns(List<String> policyArns) {
            this.policyArns = new ArrayList<>(Objects.requireNonNull(policyArns, "policyArns"));
            return this;
        }

        /**
         * When and how credentials are refreshed; default {@link RefreshPolicy#defaults()}.
         *
         * @param refreshPolicy the refresh policy
         * @return this builder
         */
        public Builder refreshPolicy(RefreshPolicy refreshPolicy) {
            this.refreshPolicy = Objects.requireNonNull(refreshPolicy, "refreshPolicy");
            return this;
        }

        /**
         * Fetch credentials while building the session, failing there if they cannot be had (fail at boot).
         *
         * @param eagerStart whether to fetch credentials while building the session
         * @return this builder
         */
        public Builder eagerStart(boolean eagerStart) {
            this.eagerStart = eagerStart;
            return this;
        }

        /**
         * Use this client for STS calls (the caller keeps ownership and closes it). It must not sign
         * AssumeRoleWithWebIdentity with credentials of its own: configure it with anonymous credentials.
         *
         * @param stsClient the STS client, configured with anonymous credentials
         * @return this builder
         */
        public Builder stsClient(StsClient stsClient) {
            this.stsClient = stsClient;
            return this;
        }

        /**
         * Adds a listener told about each refresh.
         *
         * @param listener the listener to add
         * @return this builder
         */
        public Builder addListener(RefreshListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * The wall clock that credential expiry is compared with (tests inject a fake one).
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Timeouts of the STS HTTP client the session builds (defaults 2 s connect, 5 s read). The read timeout
         * bounds each read; {@link #attemptTimeout(Duration)} bounds a whole call.
         *
         * @param connect the connect timeout
         * @param read the read timeout
         * @return this builder
         */
        public Builder timeouts(Duration connect, Duration read) {
            this.connectTimeout = Objects.requireNonNull(connect, "connect");
            this.readTimeout = Objects.requireNonNull(read, "read");
            return this;
        }

        /**
         * The deadline of one STS call as a whole: connecting, sending, and receiving the whole answer (default 10 s,
         * at most 5 min). The read timeout bounds each read only, so a proxy or middlebox that passes the answer on
         * a byte at a time could otherwise hold the session's one refresh for as long as it liked. When the deadline
         * passes the call is aborted and counts as a failed attempt (retryable, retried with backoff; the refresh
         * policy's {@code maxAttempts} bounds how many a refresh makes). With a user's own {@link #stsClient(StsClient)}
         * it is applied to each call as the SDK's {@code apiCallAttemptTimeout}, unless that client's own is shorter;
         * the client's other settings (its HTTP client's timeouts, its retries) stay as they are.
         *
         * @param attemptTimeout a positive duration, at most 5 minutes
         * @return this builder
         * @throws IllegalArgumentException if it is null, zero, negative or over 5 minutes
         */
        public Builder attemptTimeout(Duration attemptTimeout) {
            this.attemptTimeout = AttemptTimeouts.validate(attemptTimeout);
            return this;
        }

        /**
         * Where system properties and environment variables are read from (default: the real ones).
         *
         * @param settings the settings source
         * @return this builder
         */
        public Builder settings(SettingsSource settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * Resolves and validates.
         *
         * @return the resolved configuration
         * @throws IrsaConfigurationException naming the setting, where it came from, and the fix
         */
        public IrsaConfig build() {
            String arnSource = roleArn != null ? "builder roleArn" : "AWS_ROLE_ARN / aws.roleArn";
            String arn = roleArn != null ? roleArn : settings.first("aws.roleArn", "AWS_ROLE_ARN").orElse(null);
            RoleArn role = RoleArn.parse(arn, arnSource);

            Path file = tokenFile;
            if (file == null) {
                file = settings.first("aws.webIdentityTokenFile", "AWS_WEB_IDENTITY_TOKEN_FILE").map(Path::of)
                        .orElseThrow(() -> new IrsaConfigurationException("No web identity token file is set"
                                + " (AWS_WEB_IDENTITY_TOKEN_FILE / aws.webIdentityTokenFile). On EKS the webhook sets it"
                                + " to " + EKS_TOKEN_FILE + " when the ServiceAccount has the eks.amazonaws.com/role-arn"
                                + " annotation."));
            }

            String session = roleSessionName != null ? roleSessionName
                    : settings.first("aws.roleSessionName", "AWS_ROLE_SESSION_NAME").orElse(null);
            if (session == null) {
                session = SessionNames.derive(settings.first(null, "HOSTNAME").orElse(null));
            } else {
                SessionNames.validate(session, roleSessionName != null ? "builder roleSessionName"
                        : "AWS_ROLE_SESSION_NAME / aws.roleSessionName");
            }

            if (sessionDuration.compareTo(Duration.ofSeconds(900)) < 0 || sessionDuration.compareTo(Duration.ofSeconds(43200)) > 0) {
                throw new IrsaConfigurationException("The session duration " + sessionDuration.toSeconds() + " s is outside"
                        + " 900–43200 s (STS DurationSeconds). Use 3600 s unless the role's MaxSessionDuration allows more.");
            }
            SessionPolicies.validate(sessionPolicy, policyArns, "session");

            String resolvedRegion = region != null ? region.trim()
                    : settings.first("aws.region", "AWS_REGION", "AWS_DEFAULT_REGION").orElse(null);
            URI endpoint = stsEndpoint;
            String endpointSource = "builder stsEndpoint";
            if (endpoint == null) {
                Optional<String> e = settings.first("aws.endpointUrlSts", "AWS_ENDPOINT_URL_STS");
                endpointSource = "AWS_ENDPOINT_URL_STS / aws.endpointUrlSts";
                if (e.isEmpty()) {
                    e = settings.first("aws.endpointUrl", "AWS_ENDPOINT_URL");
                    endpointSource = "AWS_ENDPOINT_URL / aws.endpointUrl";
                }
                endpoint = e.map(s -> StsEndpoints.parse(s, "AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL")).orElse(null);
            }
            if (resolvedRegion != null) {
                StsEndpoints.validateRegion(resolvedRegion, region != null ? "builder region"
                        : "AWS_REGION / AWS_DEFAULT_REGION / aws.region");
                StsEndpoints.requireSamePartition(role, resolvedRegion);
            }
            if (endpoint == null) {
                if (resolvedRegion == null) {
                    throw new IrsaConfigurationException("No AWS region is set, so the regional STS endpoint is unknown."
                            + " Set AWS_REGION (or AWS_DEFAULT_REGION, or the system property aws.region) to the region"
                            + " your workload runs in, for example us-west-2. irsa-java does not fall back to us-east-1"
                            + " or to the global endpoint.");
                }
                endpoint = StsEndpoints.regional(resolvedRegion);
            } else {
                StsEndpoints.requireSafeTransport(endpoint, endpointSource);
            }
            boolean legacy = settings.first(null, "AWS_STS_REGIONAL_ENDPOINTS").map("legacy"::equalsIgnoreCase).orElse(false);
            return new IrsaConfig(this, role, file, session, resolvedRegion, endpoint, legacy);
        }
    }
}
