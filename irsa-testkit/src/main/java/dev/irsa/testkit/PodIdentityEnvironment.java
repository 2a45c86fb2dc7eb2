package dev.irsa.testkit;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A whole pod's view of EKS Pod Identity on loopback: an {@link OidcIssuer} (the cluster's service-account
 * signer), a {@link StsEmulator} (whose {@code GetCallerIdentity} accepts the credentials), a
 * {@link PodIdentityAgentEmulator} with one association (namespace + service account → role), and that service
 * account's projected token (audience {@code pods.eks.amazonaws.com}) in a {@link ProjectedTokenVolume}.
 * Thread-safe; {@link #close()} stops everything and deletes the token directory.
 * @since 0.1.0
 */
public final class PodIdentityEnvironment implements AutoCloseable {
    private final OidcIssuer issuer;
    private final StsEmulator sts;
    private final PodIdentityAgentEmulator agent;
    private final ProjectedTokenVolume volume;
    private final String roleArn;
    private final String namespace;
    private final String serviceAccount;
    private final Duration tokenLifetime;
    private final Duration credentialLifetime;

    private PodIdentityEnvironment(Builder b) {
        OidcIssuer i = null;
        StsEmulator s = null;
        PodIdentityAgentEmulator a = null;
        try {
            i = OidcIssuer.builder().clock(b.clock).start();
            s = StsEmulator.builder().accountId(b.accountId).region(b.region).clock(b.clock).start();
            a = PodIdentityAgentEmulator.builder().issuer(i).sts(s).clock(b.clock).port(b.agentPort).ipv6(b.ipv6)
                    .credentialLifetime(b.credentialLifetime).start();
            this.roleArn = a.associate(b.namespace, b.serviceAccount, "arn:aws:iam::" + b.accountId + ":role/" + b.roleName);
            this.volume = b.tokenDirectory != null ? ProjectedTokenVolume.at(b.tokenDirectory)
                    : ProjectedTokenVolume.inTempDirectory();
        } catch (RuntimeException e) {
            for (AutoCloseable c : new AutoCloseable[] {a, s, i}) {
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (Exception ignored) {
                    // already failing
                }
            }
            throw e;
        }
        this.issuer = i;
        this.sts = s;
        this.agent = a;
        this.namespace = b.namespace;
        this.serviceAccount = b.serviceAccount;
        this.tokenLifetime = b.tokenLifetime;
        this.credentialLifetime = b.credentialLifetime;
        rotateToken();
    }

    /**
     * Defaults: account 111122223333, us-west-2, role {@code app-role} associated with {@code default/app}.
     *
     * @return the running environment; close it to stop it
     */
    public static PodIdentityEnvironment start() {
        return builder().start();
    }

    /** {@return a builder for an environment with non-default settings} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the cluster's OIDC issuer} */
    public OidcIssuer issuer() {
        return issuer;
    }

    /** {@return the STS emulator} */
    public StsEmulator sts() {
        return sts;
    }

    /** {@return the Pod Identity agent emulator} */
    public PodIdentityAgentEmulator agent() {
        return agent;
    }

    /** {@return the projected token volume} */
    public ProjectedTokenVolume volume() {
        return volume;
    }

    /**
     * The associated role.
     *
     * @return the role's ARN
     */
    public String roleArn() {
        return roleArn;
    }

    /**
     * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}.
     *
     * @return the token file
     */
    public Path tokenFile() {
        return volume.tokenFile();
    }

    /**
     * {@code AWS_CONTAINER_CREDENTIALS_FULL_URI}.
     *
     * @return the agent emulator's credentials URI
     */
    public URI agentEndpoint() {
        return agent.endpoint();
    }

    /** {@return the region} */
    public String region() {
        return sts.region();
    }

    /** {@return the 12-digit account the role is in} */
    public String accountId() {
        return sts.accountId();
    }

    /** {@return the service account's namespace} */
    public String namespace() {
        return namespace;
    }

    /** {@return the service account's name} */
    public String serviceAccount() {
        return serviceAccount;
    }

    /**
     * A token builder for this service account, audience {@code pods.eks.amazonaws.com}.
     *
     * @return a new token builder
     */
    public ServiceAccountTokenBuilder token() {
        return issuer.token(namespace, serviceAccount).audience(PodIdentityAgentEmulator.AUDIENCE);
    }

    /**
     * Mints a fresh valid token and swaps it in as the kubelet would; returns it.
     *
     * @return the new token
     */
    public String rotateToken() {
        String token = token().lifetime(tokenLifetime).sign();
        volume.write(token);
        return token;
    }

    /**
     * The variables EKS injects into a pod with a Pod Identity association (agent URI and token file pointing at
     * the emulators), plus {@code AWS_ENDPOINT_URL_STS} so that STS calls signed with the credentials reach the
     * emulator.
     *
     * @return variable name to value
     */
    public Map<String, String> podEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", agentEndpoint().toString());
        env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tokenFile().toString());
        env.put("AWS_REGION", region());
        env.put("AWS_DEFAULT_REGION", region());
        env.put("AWS_STS_REGIONAL_ENDPOINTS", "regional");
        env.put("AWS_ENDPOINT_URL_STS", sts.endpoint().toString());
        return env;
    }

    /** Clears faults and call logs and restores the credential lifetime; for reuse between tests. */
    public void reset() {
        agent.reset();
        agent.credentialLifetime(credentialLifetime);
        agent.expirationStyle(PodIdentityAgentEmulator.ExpirationStyle.SECONDS_Z);
        sts.faults().clear();
        sts.calls().clear();
    }

    @Override
    public void close() {
        try {
            agent.close();
        } finally {
            try {
                sts.close();
            } finally {
                try {
                    issuer.close();
                } finally {
                    volume.close();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "PodIdentityEnvironment[role=" + roleArn + ", agent=" + agentEndpoint() + ", issuer=" + issuer.issuer() + "]";
    }

    /** Configures a {@link PodIdentityEnvironment}. */
    public static final class Builder {
        /** Creates a builder holding the defaults, as {@link PodIdentityEnvironment#builder()} does. */
        public Builder() {
        }

        private String accountId = "111122223333";
        private String region = "us-west-2";
        private String roleName = "app-role";
        private String namespace = "default";
        private String serviceAccount = "app";
        private Duration tokenLifetime = Duration.ofHours(24);
        private Duration credentialLifetime = Duration.ofHours(6);
        private Path tokenDirectory;
        private Clock clock = Clock.systemUTC();
        private int agentPort;
        private boolean ipv6;

        /**
         * The account the role is created in (default {@code 111122223333}).
         *
         * @param accountId 12 digits
         * @return this builder
         * @throws IllegalArgumentException if {@code accountId} is not 12 digits
         */
        public Builder accountId(String accountId) {
            if (!Objects.requireNonNull(accountId).matches("\\d{12}")) {
                throw new IllegalArgumentException("An AWS account ID is 12 digits, not " + accountId);
            }
            this.accountId = accountId;
            return this;
        }

        /**
         * The region (default {@code us-west-2}).
         *
         * @param region the region
         * @return this builder
         */
        public Builder region(String region) {
            this.region = Objects.requireNonNull(region);
            return this;
        }

        /**
         * The role's name (default {@code app-role}).
         *
         * @param roleName the role's name
         * @return this builder
         */
        public Builder roleName(String roleName) {
            this.roleName = Objects.requireNonNull(roleName);
            return this;
        }

        /**
         * The pod's service account (default {@code default/app}).
         *
         * @param namespace the namespace
         * @param serviceAccount the service account's name
         * @return this builder
         */
        public Builder serviceAccount(String namespace, String serviceAccount) {
            this.namespace = Objects.requireNonNull(namespace);
            this.serviceAccount = Objects.requireNonNull(serviceAccount);
            return this;
        }

        /**
         * Lifetime of the projected tokens written (default 24 h, as EKS).
         *
         * @param tokenLifetime the tokens' lifetime
         * @return this builder
         */
        public Builder tokenLifetime(Duration tokenLifetime) {
            this.tokenLifetime = Objects.requireNonNull(tokenLifetime);
            return this;
        }

        /**
         * Lifetime of the credentials the agent hands out (default 6 h, as EKS).
         *
         * @param credentialLifetime the credentials' lifetime
         * @return this builder
         */
        public Builder credentialLifetime(Duration credentialLifetime) {
            this.credentialLifetime = Objects.requireNonNull(credentialLifetime);
            return this;
        }

        /**
         * Where the projected volume lives; a temporary directory by default.
         *
         * @param tokenDirectory the directory, or null for a temporary one
         * @return this builder
         */
        public Builder tokenDirectory(Path tokenDirectory) {
            this.tokenDirectory = tokenDirectory;
            return this;
        }

        /**
         * The clock of the issuer and the emulators (default system UTC).
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /**
         * The agent emulator's port (default 0: an ephemeral port).
         *
         * @param port the port, or 0
         * @return this builder
         */
        public Builder agentPort(int port) {
            this.agentPort = port;
            return this;
        }

        /**
         * The agent listens on {@code [::1]} (an IPv6 cluster).
         *
         * @param ipv6 whether the agent listens on {@code [::1]}
         * @return this builder
         */
        public Builder ipv6(boolean ipv6) {
            this.ipv6 = ipv6;
            return this;
        }

        /** {@return a running environment; close it to stop it} */
        public PodIdentityEnvironment start() {
            return new PodIdentityEnvironment(this);
        }
    }
}
