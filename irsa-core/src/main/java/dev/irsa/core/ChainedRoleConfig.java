package dev.irsa.core;

import dev.irsa.core.internal.SessionNames;
import dev.irsa.core.internal.SessionPolicies;
import dev.irsa.core.internal.StsEndpoints;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A role assumed with {@code sts:AssumeRole} from an IRSA session (role chaining), for example a role in
 * another account. Immutable; build with {@link #builder(String)}. STS limits chained sessions to one hour.
 * @since 0.1.0
 */
public final class ChainedRoleConfig {
    private final RoleArn roleArn;
    private final String roleSessionName;
    private final String externalId;
    private final String stsRegion;
    private final Duration sessionDuration;
    private final String sessionPolicy;
    private final List<String> policyArns;
    private final RefreshPolicy refreshPolicy;

    private ChainedRoleConfig(Builder b) {
        this.roleArn = RoleArn.parse(b.roleArn, "chained role ARN");
        this.roleSessionName = b.roleSessionName;
        this.externalId = b.externalId;
        this.stsRegion = b.stsRegion;
        this.sessionDuration = b.sessionDuration;
        this.sessionPolicy = b.sessionPolicy;
        this.policyArns = List.copyOf(b.policyArns);
        this.refreshPolicy = b.refreshPolicy;
    }

    /**
     * A builder for chaining into {@code roleArn}.
     *
     * @param roleArn the ARN of the role to assume; parsed by {@link Builder#build()}
     * @return a new builder with the defaults (1 h session, {@link RefreshPolicy#defaults()})
     */
    public static Builder builder(String roleArn) {
        return new Builder(roleArn);
    }

    /** {@return a new builder holding this configuration's values} */
    public Builder toBuilder() {
        Builder b = new Builder(roleArn.toString());
        b.roleSessionName = roleSessionName;
        b.externalId = externalId;
        b.stsRegion = stsRegion;
        b.sessionDuration = sessionDuration;
        b.sessionPolicy = sessionPolicy;
        b.policyArns = new ArrayList<>(policyArns);
        b.refreshPolicy = refreshPolicy;
        return b;
    }

    /** {@return the role to assume} */
    public RoleArn roleArn() {
        return roleArn;
    }

    /**
     * The session name, or empty to reuse the source session's.
     *
     * @return the session name, or empty
     */
    public Optional<String> roleSessionName() {
        return Optional.ofNullable(roleSessionName);
    }

    /** {@return the external ID sent with AssumeRole, or empty when none is} */
    public Optional<String> externalId() {
        return Optional.ofNullable(externalId);
    }

    /**
     * The region whose STS assumes this role, or empty for the source session's STS endpoint.
     *
     * @return the STS region, or empty
     */
    public Optional<String> stsRegion() {
        return Optional.ofNullable(stsRegion);
    }

    /** {@return the requested session duration (900 s to 3600 s)} */
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

    /** {@return when and how the chained credentials are refreshed} */
    public RefreshPolicy refreshPolicy() {
        return refreshPolicy;
    }

    @Override
    public String toString() {
        return "ChainedRoleConfig[role=" + roleArn + ", session=" + roleSessionName + ", externalId="
                + (externalId == null ? "none" : "set") + (stsRegion == null ? "" : ", stsRegion=" + stsRegion) + ", duration=" + sessionDuration + "]";
    }

    /** Builds a {@link ChainedRoleConfig}; {@link #build()} validates. */
    public static final class Builder {
        private final String roleArn;
        private String roleSessionName;
        private String externalId;
        private String stsRegion;
        private Duration sessionDuration = Duration.ofHours(1);
        private String sessionPolicy;
        private List<String> policyArns = new ArrayList<>();
        private RefreshPolicy refreshPolicy = RefreshPolicy.defaults();

        private Builder(String roleArn) {
            this.roleArn = roleArn;
        }

        /**
         * The session name (2–64 characters of {@code [\w+=,.@-]}); by default the source session's.
         *
         * @param name the session name, or null to reuse the source session's
         * @return this builder
         */
        public Builder roleSessionName(String name) {
            this.roleSessionName = name;
            return this;
        }

        /**
         * The external ID the target role's trust policy requires ({@code sts:ExternalId}), 2–1224 characters.
         *
         * @param externalId the external ID, or null for none
         * @return this builder
         */
        public Builder externalId(String externalId) {
            this.externalId = externalId;
            return this;
        }

        /**
         * The region whose STS endpoint assumes the role: AssumeRole goes to its regional endpoint
         * ({@code https://sts.<region>.<partition suffix>}), signed for it. By default the source session's STS
         * endpoint is used. When that is a loopback address (an emulator) it stays the endpoint, signed for this
         * region.
         *
         * @param region the region, e.g. {@code eu-west-1}, or null for the source session's endpoint
         * @return this builder
         */
        public Builder stsRegion(String region) {
            this.stsRegion = region == null ? null : region.trim();
            return this;
        }

        /**
         * 900 s to 3600 s: STS caps role chaining at one hour.
         *
         * @param d the requested session duration; default 1 h
         * @return this builder
         */
        public Builder sessionDuration(Duration d) {
            this.sessionDuration = Objects.requireNonNull(d);
            return this;
        }

        /**
         * An inline session policy (IAM JSON) that scopes the chained session down.
         *
         * @param policy the policy, or null for none
         * @return this builder
         */
        public Builder sessionPolicy(String policy) {
            this.sessionPolicy = policy;
            return this;
        }

        /**
         * Managed policy ARNs that scope the chained session down (at most 10).
         *
         * @param arns the policy ARNs (copied)
         * @return this builder
         */
        public Builder policyArns(List<String> arns) {
            this.policyArns = new ArrayList<>(arns);
            return this;
        }

        /**
         * When and how the chained credentials are refreshed; default {@link RefreshPolicy#defaults()}.
         *
         * @param p the refresh policy
         * @return this builder
         */
        public Builder refreshPolicy(RefreshPolicy p) {
            this.refreshPolicy = Objects.requireNonNull(p);
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the validated configuration
         * @throws IrsaConfigurationException naming the setting and the fix
         */
        public ChainedRoleConfig build() {
            if (roleSessionName != null) {
                SessionNames.validate(roleSessionName, "chained role session name");
            }
            if (externalId != null && !externalId.matches("[\\w+=,.@:/-]{2,1224}")) {
                throw new IrsaConfigurationException("The external ID must be 2–1224 characters of letters, digits and"
                        + " + = , . @ : / - _");
            }
            if (sessionDuration.compareTo(Duration.ofSeconds(900)) < 0 || sessionDuration.compareTo(Duration.ofHours(1)) > 0) {
                throw new IrsaConfigurationException("A chained role session lasts 900–3600 s (STS limits role chaining to"
                        + " one hour), not " + sessionDuration.toSeconds() + " s.");
            }
            SessionPolicies.validate(sessionPolicy, policyArns, "chained session");
            ChainedRoleConfig c = new ChainedRoleConfig(this);
            if (stsRegion != null) {
                StsEndpoints.validateRegion(stsRegion, "chained role STS region");
                StsEndpoints.requireSamePartition(c.roleArn, stsRegion);
            }
            return c;
        }
    }
}
