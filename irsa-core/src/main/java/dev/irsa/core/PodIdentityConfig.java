package dev.irsa.core;

import dev.irsa.core.internal.SessionKey;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Resolved, validated configuration of an EKS Pod Identity session: where the Pod Identity agent listens and where
 * the authorization token comes from. Immutable and thread-safe; {@link #toString()} never shows a literal token.
 *
 * <p>Each setting is resolved in this order: the builder's explicit value, the Java system property, the environment
 * variable (as the AWS SDK for Java v2 names them):
 * <table>
 *   <caption>settings</caption>
 *   <tr><td>agent URI</td><td>{@code aws.containerCredentialsFullUri}</td><td>{@code AWS_CONTAINER_CREDENTIALS_FULL_URI}</td></tr>
 *   <tr><td>literal token (wins over the file)</td><td>{@code aws.containerAuthorizationToken}</td><td>{@code AWS_CONTAINER_AUTHORIZATION_TOKEN}</td></tr>
 *   <tr><td>token file</td><td>{@code aws.containerAuthorizationTokenFile}</td><td>{@code AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}</td></tr>
 * </table>
 * The URI must be https, or plain http to a loopback address or one of the container-credential agents
 * ({@value #ECS_AGENT_IPV4}, {@value #EKS_AGENT_IPV4}, {@code [}{@value #EKS_AGENT_IPV6}{@code ]}): the token is a
 * bearer credential and must not cross a network in clear text. Unlike the AWS SDK for Java v2, the IPv6 agent
 * address needs no extra variable.
 * @since 0.1.0
 */
public final class PodIdentityConfig {
    /** The EKS Pod Identity agent's IPv4 address. */
    public static final String EKS_AGENT_IPV4 = "169.254.170.23";
    /** The EKS Pod Identity agent's IPv6 address. */
    public static final String EKS_AGENT_IPV6 = "fd00:ec2::23";
    /** The ECS container-credentials agent's IPv4 address. */
    public static final String ECS_AGENT_IPV4 = "169.254.170.2";
    /** What EKS injects on IPv4 clusters. */
    public static final URI EKS_AGENT_URI = URI.create("http://169.254.170.23/v1/credentials");
    /** What EKS injects on IPv6 clusters. */
    public static final URI EKS_AGENT_URI_IPV6 = URI.create("http://[fd00:ec2::23]/v1/credentials");
    /** Where EKS mounts the projected service-account token for Pod Identity. */
    public static final Path EKS_TOKEN_FILE = Path.of(
            "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token");
    /** The audience of the projected token EKS mounts for Pod Identity. */
    public static final String AUDIENCE = "pods.eks.amazonaws.com";

    static final String URI_PROPERTY = "aws.containerCredentialsFullUri";
    static final String URI_VARIABLE = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    static final String TOKEN_PROPERTY = "aws.containerAuthorizationToken";
    static final String TOKEN_VARIABLE = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
    static final String FILE_PROPERTY = "aws.containerAuthorizationTokenFile";
    static final String FILE_VARIABLE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";

    private static final Set<String> AGENT_HOSTS = Set.of(ECS_AGENT_IPV4, EKS_AGENT_IPV4, EKS_AGENT_IPV6);

    private final URI endpoint;
    private final Path tokenFile;
    private final String token;
    private final RefreshPolicy refreshPolicy;
    private final boolean eagerStart;
    private final List<RefreshListener> listeners;
    private final Clock clock;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration attemptTimeout;
    /** Where the settings came from: a chained role's STS region and endpoint are read from it too. */
    private final SettingsSource settings;

    private PodIdentityConfig(Builder b, URI endpoint, Path tokenFile, String token) {
        this.endpoint = endpoint;
        this.tokenFile = tokenFile;
        this.token = token;
        this.refreshPolicy = b.refreshPolicy;
        this.eagerStart = b.eagerStart;
        this.listeners = List.copyOf(b.listeners);
        this.clock = b.clock;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.attemptTimeout = b.attemptTimeout;
        this.settings = b.settings;
    }

    /** {@return a new builder with no explicit values} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether the agent URI and a token (literal or file) are set: what EKS injects for a Pod Identity association.
     *
     * @param settings where system properties and environment variables are read from
     * @return true if the URI and a token or token file are set
     */
    public static boolean isConfigured(SettingsSource settings) {
        return settings.first(URI_PROPERTY, URI_VARIABLE).isPresent()
                && (settings.first(TOKEN_PROPERTY, TOKEN_VARIABLE).isPresent()
                || settings.first(FILE_PROPERTY, FILE_VARIABLE).isPresent());
    }

    /**
     * The agent's credentials URI.
     *
     * @return the agent's credentials URI
     */
    public URI endpoint() {
        return endpoint;
    }

    /**
     * The projected token file, re-read for every call; empty when a literal token is used.
     *
     * @return the token file, or empty
     */
    public Optional<Path> tokenFile() {
        return Optional.ofNullable(tokenFile);
    }

    /**
     * The literal token, when one is set (it wins over the file). Never log it.
     *
     * @return the literal token, or empty
     */
    public Optional<String> literalToken() {
        return Optional.ofNullable(token);
    }

    /** {@return when and how credentials are refreshed} */
    public RefreshPolicy refreshPolicy() {
        return refreshPolicy;
    }

    /** {@return whether credentials are fetched while building the session, failing there if they cannot be had} */
    public boolean eagerStart() {
        return eagerStart;
    }

    /** {@return the listeners told about each refresh, in the order added; unmodifiable} */
    public List<RefreshListener> listeners() {
        return listeners;
    }

    /** {@return the wall clock that credential expiry is compared with} */
    public Clock clock() {
        return clock;
    }

    /** {@return the connect timeout of each call to the agent} */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** {@return the read timeout of each call to the agent} */
    public Duration readTimeout() {
        return readTimeout;
    }

    /**
     * The deadline of one call to the agent as a whole; see {@link Builder#attemptTimeout(Duration)}.
     *
     * @return the attempt deadline; default 10 s
     * @since 0.1.0
     */
    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    /**
     * Whether the URI's host is the EKS Pod Identity agent's IPv6 address.
     *
     * @return true if the endpoint's host is {@value #EKS_AGENT_IPV6}
     */
    public boolean ipv6Agent() {
        return EKS_AGENT_IPV6.equals(bare(endpoint.getHost()));
    }

    /**
     * What a role chained from this Pod Identity session ({@link IrsaSession#assumeRole}) is assumed with: STS in
     * the target's {@code stsRegion}, else in AWS_REGION / AWS_DEFAULT_REGION / aws.region of this configuration's
     * settings (whose STS endpoint override, if any, applies), with this configuration's clock and timeouts. The
     * agent hands out credentials without STS, so unlike an IRSA session there is no STS endpoint to reuse: without a
     * region there is nowhere to send AssumeRole.
     *
     * @throws IrsaConfigurationException if no region is set, or it is not in the target role's partition
     */
    IrsaConfig chainingConfig(ChainedRoleConfig target) {
        String region = target.stsRegion().orElseGet(() ->
                settings.first("aws.region", "AWS_REGION", "AWS_DEFAULT_REGION").map(String::trim).orElse(null));
        if (region == null || region.isEmpty()) {
            throw new IrsaConfigurationException("Assuming " + target.roleArn() + " from the EKS Pod Identity session"
                    + " needs an STS region, and none is set: Pod Identity credentials come from the node's agent, not"
                    + " from STS, so there is no STS endpoint to reuse. Set the chained role's STS region (stsRegion;"
                    + " awsStsRegion in a Kafka JAAS line) or AWS_REGION (or AWS_DEFAULT_REGION, or the system property"
                    + " aws.region) to the region of the STS endpoint to use, in the partition of " + target.roleArn()
                    + " (" + target.roleArn().partition() + ").");
        }
        IrsaConfig.Builder b = IrsaConfig.builder().settings(settings).roleArn(target.roleArn().toString())
                // never read: the chained session signs with the agent's credentials, not with a web identity token
                .tokenFile(tokenFile != null ? tokenFile : EKS_TOKEN_FILE)
                .region(region).clock(clock).timeouts(connectTimeout, readTimeout).attemptTimeout(attemptTimeout)
                .refreshPolicy(target.refreshPolicy()).eagerStart(eagerStart); // eager as the source session
        target.roleSessionName().ifPresent(b::roleSessionName);
        return b.build();
    }

    /**
     * What differs between this configuration and {@code other} among the settings that decide whether two providers
     * share one Pod Identity session: agent URI, token file, literal token, refresh policy, timeouts and clock. As
     * {@link IrsaConfig#sessionDifferences(IrsaConfig, String, String)}: one entry per setting that differs, naming
     * it and both values, empty exactly when {@link IrsaSession#shared(PodIdentityConfig)} gives both one session; a
     * literal token is never shown (only whether it is set, and that the two differ).
     *
     * @param other the configuration to compare with
     * @param thisName how the entries call this configuration, e.g. {@code "application"}
     * @param otherName how they call {@code other}
     * @return one entry per setting that differs, in a fixed order; empty when both share one session
     * @since 0.1.0
     */
    public List<String> sessionDifferences(PodIdentityConfig other, String thisName, String otherName) {
        Objects.requireNonNull(other, "other");
        return SessionKey.differences(SessionKey.of(this), thisName, SessionKey.of(other), otherName);
    }

    @Override
    public String toString() {
        return "PodIdentityConfig[endpoint=" + endpoint + ", token=" + (token != null ? "<literal, redacted>"
                : String.valueOf(tokenFile)) + ", " + refreshPolicy + ", eagerStart=" + eagerStart + "]";
    }

    /**
     * Whether plain HTTP may go to {@code host}: loopback literals and the container-credential agents.
     *
     * @param host a URI host, IPv6 literals with or without brackets; may be null
     * @return true if {@code host} is a loopback literal or an agent address
     */
    public static boolean plainHttpAllowed(String host) {
        String h = bare(host);
        if (h == null) {
            return false;
        }
        h = h.toLowerCase(Locale.ROOT);
        return AGENT_HOSTS.contains(h) || dev.irsa.core.internal.StsEndpoints.isLoopback(h);
    }

    private static String bare(String host) {
        return host != null && host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** Collects explicit values; {@link #build()} resolves the rest from the {@link SettingsSource}. Not thread-safe. */
    public static final class Builder {
        private URI endpoint;
        private Path tokenFile;
        private String token;
        private RefreshPolicy refreshPolicy = RefreshPolicy.defaults();
        private boolean eagerStart;
        private List<RefreshListener> listeners = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration readTimeout = Duration.ofSeconds(5);
        private Duration attemptTimeout = dev.irsa.core.internal.AttemptTimeouts.DEFAULT;
        private SettingsSource settings = SettingsSource.system();

        private Builder() {}

        /** {@return an independent copy of this builder's explicit values} */
        public Builder copy() {
            Builder b = new Builder();
            b.endpoint = endpoint;
            b.tokenFile = tokenFile;
            b.token = token;
            b.refreshPolicy = refreshPolicy;
            b.eagerStart = eagerStart;
            b.listeners = new ArrayList<>(listeners);
            b.clock = clock;
            b.connectTimeout = connectTimeout;
            b.readTimeout = readTimeout;
            b.attemptTimeout = attemptTimeout;
            b.settings = settings;
            return b;
        }

        /**
         * The agent's credentials URI.
         *
         * @param endpoint the URI, or null to resolve it from the settings
         * @return this builder
         */
        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /**
         * The projected token file, re-read for every call.
         *
         * @param tokenFile the token file, or null to resolve it from the settings
         * @return this builder
         */
        public Builder tokenFile(Path tokenFile) {
            this.tokenFile = tokenFile;
            return this;
        }

        /**
         * A literal authorization token (wins over any file).
         *
         * @param token the token, or null to resolve it from the settings
         * @return this builder
         */
        public Builder authorizationToken(String token) {
            this.token = token;
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
         * Timeouts of each call to the agent (defaults 2 s connect, 5 s read). The read timeout bounds each read;
         * {@link #attemptTimeout(Duration)} bounds a whole call.
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
         * The deadline of one call to the agent as a whole: connecting, sending, and receiving the whole answer
         * (default 10 s, at most 5 min). The read timeout bounds each read only, so something that passes the answer
         * on a byte at a time could otherwise hold the session's one refresh for as long as it liked. When the
         * deadline passes the call is aborted and counts as a failed attempt (retryable, retried with backoff).
         *
         * @param attemptTimeout a positive duration, at most 5 minutes
         * @return this builder
         * @throws IllegalArgumentException if it is null, zero, negative or over 5 minutes
         */
        public Builder attemptTimeout(Duration attemptTimeout) {
            this.attemptTimeout = dev.irsa.core.internal.AttemptTimeouts.validate(attemptTimeout);
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
        public PodIdentityConfig build() {
            URI uri = endpoint;
            String source = "builder endpoint";
            if (uri == null) {
                source = URI_VARIABLE + " / " + URI_PROPERTY;
                String value = settings.first(URI_PROPERTY, URI_VARIABLE).orElseThrow(() ->
                        new IrsaConfigurationException("No Pod Identity agent URI is set (" + URI_VARIABLE + " / "
                                + URI_PROPERTY + "). On EKS it is injected (" + EKS_AGENT_URI + ") into pods whose"
                                + " ServiceAccount has a Pod Identity association, when the eks-pod-identity-agent add-on"
                                + " is installed; pods created before the association need a restart."));
                try {
                    uri = new URI(value);
                } catch (URISyntaxException e) {
                    throw new IrsaConfigurationException(source + " is not a URI: '" + value + "'");
                }
            }
            requireSafeTransport(uri, source);
            String literal = token != null ? token.strip()
                    : tokenFile != null ? null : settings.first(TOKEN_PROPERTY, TOKEN_VARIABLE).orElse(null);
            Path file = null;
            if (literal == null || literal.isEmpty()) {
                literal = null;
                file = tokenFile != null ? tokenFile : settings.first(FILE_PROPERTY, FILE_VARIABLE).map(Path::of)
                        .orElseThrow(() -> new IrsaConfigurationException("No Pod Identity token is set ("
                                + FILE_VARIABLE + " / " + FILE_PROPERTY + ", or " + TOKEN_VARIABLE + "). On EKS the"
                                + " token file is " + EKS_TOKEN_FILE + ", injected with " + URI_VARIABLE + "."));
            }
            return new PodIdentityConfig(this, uri, file, literal);
        }

        private static void requireSafeTransport(URI uri, String source) {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
                throw new IrsaConfigurationException("The Pod Identity agent URI " + uri + " (" + source + ") is not an"
                        + " http(s) URL with a host; on EKS it is " + EKS_AGENT_URI + " (IPv6 clusters "
                        + EKS_AGENT_URI_IPV6 + ").");
            }
            if (scheme.equals("http") && !plainHttpAllowed(uri.getHost())) {
                throw new IrsaConfigurationException("The Pod Identity agent URI " + uri + " (" + source + ") uses plain"
                        + " http to " + uri.getHost() + ": the authorization token would cross the network in clear"
                        + " text. Plain http is allowed only to loopback, " + EKS_AGENT_IPV4 + ", [" + EKS_AGENT_IPV6
                        + "] and " + ECS_AGENT_IPV4 + "; use https otherwise.");
            }
        }
    }
}
