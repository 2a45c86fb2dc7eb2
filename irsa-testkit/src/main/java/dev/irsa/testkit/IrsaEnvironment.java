package dev.irsa.testkit;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A whole pod's view of IRSA on loopback: an {@link OidcIssuer} registered in a {@link StsEmulator} as an
 * IAM OIDC provider, a role whose trust policy (as eksctl writes it) admits one service account, and that
 * service account's projected token laid out in a {@link ProjectedTokenVolume}.
 *
 * <p>Thread-safe. {@link #close()} stops both servers and deletes the token directory.
 * @since 0.1.0
 */
public final class IrsaEnvironment implements AutoCloseable {
    private final OidcIssuer issuer;
    private final StsEmulator sts;
    private final ProjectedTokenVolume volume;
    private final String roleArn;
    private final String namespace;
    private final String serviceAccount;
    private final Duration tokenLifetime;
    private final Duration credentialLifetime;

    private IrsaEnvironment(Builder b) {
        OidcIssuer i = null;
        StsEmulator s = null;
        ProjectedTokenVolume v = null;
        try {
            i = OidcIssuer.builder().clock(b.clock).port(b.issuerPort).start();
            s = StsEmulator.builder().accountId(b.accountId).region(b.region).clock(b.clock).port(b.stsPort)
                    .credentialLifetime(b.credentialLifetime).start();
            s.registerOidcProvider(i.issuer(), ServiceAccountTokenBuilder.STS_AUDIENCE);
            this.roleArn = s.createRole(b.accountId, b.roleName,
                    TrustPolicy.forServiceAccount(b.accountId, i.hostAndPath(), b.namespace, b.serviceAccount),
                    b.maxSessionDuration);
            v = b.tokenDirectory != null ? ProjectedTokenVolume.at(b.tokenDirectory) : ProjectedTokenVolume.inTempDirectory();
        } catch (RuntimeException e) {
            if (i != null) {
                i.close();
            }
            if (s != null) {
                s.close();
            }
            throw e;
        }
        this.issuer = i;
        this.sts = s;
        this.volume = v;
        this.namespace = b.namespace;
        this.serviceAccount = b.serviceAccount;
        this.tokenLifetime = b.tokenLifetime;
        this.credentialLifetime = b.credentialLifetime;
        rotateToken();
    }

    /**
     * Defaults: account 111122223333, us-west-2, role {@code app-role} for {@code system:serviceaccount:default:app}.
     *
     * @return the running environment; close it to stop it
     */
    public static IrsaEnvironment start() {
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

    /** {@return the projected token volume} */
    public ProjectedTokenVolume volume() {
        return volume;
    }

    /** {@return the ARN of the role the service account may assume} */
    public String roleArn() {
        return roleArn;
    }

    /**
     * {@code AWS_WEB_IDENTITY_TOKEN_FILE}: the {@code token} symlink in the projected volume.
     *
     * @return the token file
     */
    public Path tokenFile() {
        return volume.tokenFile();
    }

    /** {@return the STS emulator's endpoint ({@code AWS_ENDPOINT_URL_STS})} */
    public URI stsEndpoint() {
        return sts.endpoint();
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
     * A token builder for this environment's service account (to forge variants).
     *
     * @return a new token builder
     */
    public ServiceAccountTokenBuilder token() {
        return issuer.token(namespace, serviceAccount);
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
     * The variables the EKS webhook would inject into the pod (plus {@code AWS_ENDPOINT_URL_STS} pointing at the
     * emulator), for a child process or a settings source.
     *
     * @return variable name to value
     */
    public Map<String, String> podEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_ROLE_ARN", roleArn);
        env.put("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile().toString());
        env.put("AWS_REGION", region());
        env.put("AWS_DEFAULT_REGION", region());
        env.put("AWS_STS_REGIONAL_ENDPOINTS", "regional");
        env.put("AWS_ENDPOINT_URL_STS", stsEndpoint().toString());
        return env;
    }

    /** Clears faults and the call log and restores STS's credential lifetimes; for reuse between tests. */
    public void reset() {
        sts.faults().clear();
        sts.calls().clear();
        sts.credentialLifetime(credentialLifetime);
    }

    @Override
    public void close() {
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

    @Override
    public String toString() {
        return "IrsaEnvironment[role=" + roleArn + ", sts=" + sts.endpoint() + ", issuer=" + issuer.issuer() + "]";
    }

    /** Configures an {@link IrsaEnvironment}. */
    public static final class Builder {
        /** Creates a builder holding the defaults, as {@link IrsaEnvironment#builder()} does. */
        public Builder() {
        }

        private String accountId = "111122223333";
        private String region = "us-west-2";
        private String roleName = "app-role";
        private String namespace = "default";
        private String serviceAccount = "app";
        private Duration tokenLifetime = Duration.ofHours(24);
        private Duration credentialLifetime;
        private Duration maxSessionDuration = Duration.ofHours(12);
        private Path tokenDirectory;
        private Clock clock = Clock.systemUTC();
        private int issuerPort;
        private int stsPort;

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
         * Issue credentials with this lifetime regardless of DurationSeconds (for fast refresh tests).
         *
         * @param credentialLifetime the credentials' lifetime
         * @return this builder
         */
        public Builder credentialLifetime(Duration credentialLifetime) {
            this.credentialLifetime = credentialLifetime;
            return this;
        }

        /**
         * The role's MaxSessionDuration (default 12 h).
         *
         * @param maxSessionDuration the maximum session duration
         * @return this builder
         */
        public Builder maxSessionDuration(Duration maxSessionDuration) {
            this.maxSessionDuration = Objects.requireNonNull(maxSessionDuration);
            return this;
        }

        /**
         * Where the projected volume lives; a temporary directory (deleted on close) by default.
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
         * The loopback ports of the issuer and the STS emulator (default 0: ephemeral ports).
         *
         * @param issuerPort the issuer's port, or 0
         * @param stsPort the STS emulator's port, or 0
         * @return this builder
         */
        public Builder ports(int issuerPort, int stsPort) {
            this.issuerPort = issuerPort;
            this.stsPort = stsPort;
            return this;
        }

        /** {@return a running environment; close it to stop it} */
        public IrsaEnvironment start() {
            return new IrsaEnvironment(this);
        }
    }
}
