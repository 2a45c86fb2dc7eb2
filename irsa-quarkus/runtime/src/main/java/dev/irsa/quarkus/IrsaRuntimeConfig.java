package dev.irsa.quarkus;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithUnnamedKey;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code quarkus.irsa.*}: the same settings, names and meanings as the Spring starter's {@code irsa.*}. Every one is
 * optional: unset values come from the pod's environment as the AWS SDK reads it ({@code AWS_ROLE_ARN},
 * {@code AWS_WEB_IDENTITY_TOKEN_FILE}, {@code AWS_REGION}, {@code AWS_CONTAINER_CREDENTIALS_FULL_URI}, ...), which
 * Quarkus's configuration also reads (so a test can set them as properties). Checked at startup: a value the library
 * cannot use fails the start with a message that names it.
 *
 * @since 0.1.0
 */
@ConfigMapping(prefix = "quarkus.irsa")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface IrsaRuntimeConfig {
    /**
     * Whether the {@code irsa} bean is active, decided at run time (as {@code quarkus.datasource.active}): with
     * {@code false} it makes no session and calls nothing, the warm-up, meters and readiness check stand aside
     * (readiness UP, {@code active=false}), and using the bean fails with a message that names this setting. Unlike
     * {@code quarkus.irsa.enabled} (build time, no bean at all), one build can run with and without IRSA.
     *
     * @return whether the bean is active
     */
    @WithDefault("true")
    boolean active();

    /**
     * IAM role to assume, {@code arn:aws:iam::<account>:role/<name>}. Default: {@code AWS_ROLE_ARN}.
     *
     * @return the role ARN, if set
     */
    Optional<String> roleArn();

    /**
     * Projected service-account token file. Default: {@code AWS_WEB_IDENTITY_TOKEN_FILE}.
     *
     * @return the token file, if set
     */
    Optional<Path> tokenFile();

    /**
     * Role session name (2-64 characters of {@code [\w+=,.@-]}). Default: {@code AWS_ROLE_SESSION_NAME}, else
     * derived from the pod name.
     *
     * @return the session name, if set
     */
    Optional<String> sessionName();

    /**
     * AWS region whose regional STS endpoint is used. Default: {@code AWS_REGION}, then {@code AWS_DEFAULT_REGION}.
     *
     * @return the region, if set
     */
    Optional<String> region();

    /**
     * STS endpoint override (https, or http to a loopback address). Default: {@code AWS_ENDPOINT_URL_STS} or the
     * regional endpoint.
     *
     * @return the endpoint, if set
     */
    Optional<URI> stsEndpoint();

    /**
     * Requested session duration (DurationSeconds), 15 minutes to 12 hours, no more than the role allows.
     *
     * @return the session duration
     */
    @WithDefault("1H")
    Duration sessionDuration();

    /**
     * Inline session policy (IAM JSON, at most 2048 characters) that scopes the session down.
     *
     * @return the policy, if set
     */
    Optional<String> sessionPolicy();

    /**
     * Managed policy ARNs that scope the session down (at most 10).
     *
     * @return the policy ARNs, if set
     */
    Optional<List<String>> policyArns();

    /**
     * Fetch credentials during startup and fail the application's start if they cannot be had.
     *
     * @return whether to start eagerly
     */
    @WithDefault("false")
    boolean eagerStart();

    /**
     * Fetch the first credentials as the application starts, without delaying startup or failing it, so health is
     * meaningful before the first AWS call and that call does not wait for STS.
     *
     * @return whether to warm up
     */
    @WithDefault("true")
    boolean warmUp();

    /**
     * Timeout for connecting to STS (or the Pod Identity agent).
     *
     * @return the connect timeout
     */
    @WithDefault("2S")
    Duration connectTimeout();

    /**
     * Timeout for reading STS's (or the Pod Identity agent's) answer.
     *
     * @return the read timeout
     */
    @WithDefault("5S")
    Duration readTimeout();

    /**
     * Deadline of one call to STS (or the Pod Identity agent) as a whole, answer included; the read timeout bounds
     * each read only. A call past it is aborted and retried with backoff.
     *
     * @return the attempt timeout
     */
    @WithDefault("10S")
    Duration attemptTimeout();

    /**
     * When and how credentials are refreshed; the defaults suit almost everyone.
     *
     * @return the refresh settings
     */
    Refresh refresh();

    /**
     * The RDS / Aurora databases the {@code irsa-rds} credentials provider signs IAM auth tokens for; needs
     * {@code dev.irsa:irsa-rds}. {@code quarkus.irsa.rds.*} is the one a data source with
     * {@code credentials-provider=irsa-rds} gets; {@code quarkus.irsa.rds."<name>".*} the one a data source with
     * {@code credentials-provider=<name>} (and {@code credentials-provider-name=irsa-rds}) gets.
     *
     * @return the databases' endpoints, by credentials-provider name ({@code irsa-rds} for the unnamed one)
     */
    @WithUnnamedKey(RDS_DEFAULT)
    Map<String, Rds> rds();

    /** The key of {@code quarkus.irsa.rds.*} (without a name) in {@link #rds()}. */
    String RDS_DEFAULT = "irsa-rds";

    /** The database endpoint of the {@code irsa-rds} credentials provider. */
    interface Rds {
        /**
         * The database host name, as the application connects to it (the token is signed for it).
         *
         * @return the host, if set
         */
        Optional<String> host();

        /**
         * The database port.
         *
         * @return the port
         */
        @WithDefault("5432")
        int port();

        /**
         * The database user, granted {@code rds_iam} (PostgreSQL) or created with {@code AWSAuthenticationPlugin}
         * (MySQL); the role needs {@code rds-db:connect} on it.
         *
         * @return the user, if set
         */
        Optional<String> user();

        /**
         * The database's region. Default: taken from an RDS host name, else {@code quarkus.irsa.region}, else
         * {@code AWS_REGION}.
         *
         * @return the region, if set
         */
        Optional<String> region();
    }

    /** When and how credentials are refreshed. */
    interface Refresh {
        /**
         * Refresh in the background ahead of expiry (otherwise lazily, still off the caller's thread).
         *
         * @return whether to refresh in the background
         */
        @WithDefault("true")
        boolean background();

        /**
         * Before expiry, the window in which callers wait for a refresh rather than take credentials about to
         * expire.
         *
         * @return the mandatory window
         */
        @WithDefault("1M")
        Duration mandatoryWindow();

        /**
         * First retry delay after a failed refresh (exponential backoff with full jitter).
         *
         * @return the backoff base
         */
        @WithDefault("1S")
        Duration backoffBase();

        /**
         * Longest retry delay while the cached credentials are valid.
         *
         * @return the longest backoff
         */
        @WithDefault("5M")
        Duration backoffMax();

        /**
         * Longest retry delay once no valid credentials are held.
         *
         * @return the longest backoff without valid credentials
         */
        @WithDefault("10S")
        Duration expiredBackoffMax();

        /**
         * Longest a caller waits for credentials (first fetch, or inside the mandatory window).
         *
         * @return the wait timeout
         */
        @WithDefault("10S")
        Duration waitTimeout();

        /**
         * How long a non-recoverable error (trust policy, OIDC provider...) is returned before STS is asked again.
         *
         * @return the time a non-recoverable error is kept
         */
        @WithDefault("5S")
        Duration nonRecoverableErrorTtl();

        /**
         * Least time between a successful exchange and the next (0 to 5 minutes, 0 turns it off); meanwhile its
         * credentials are served even if this node's clock says they expired, so a clock far ahead cannot cause an
         * STS loop. The Spring starter's {@code irsa.refresh.minimum-interval}.
         *
         * @return the minimum refresh interval
         */
        @WithDefault("60S")
        Duration minimumInterval();
    }
}
