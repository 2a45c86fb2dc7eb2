package dev.irsa.rds.hikari;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.util.Credentials;
import dev.irsa.rds.RdsAuthTokens;
import dev.irsa.rds.RdsEndpoint;
import java.util.Objects;

/**
 * HikariCP's credentials hook for RDS IAM authentication: HikariCP asks it for the user and password each time it
 * opens a physical connection, and it answers with the database user and a valid token from {@link RdsAuthTokens}
 * (cached while safely valid, re-signed otherwise), so no connection is ever opened with a stale token.
 *
 * <p>Connections already open stay open when their token expires (the database checks the token only at login), so
 * the pool's {@code maxLifetime} need not be shorter than 15 minutes; keep HikariCP's default (30 minutes) or what the
 * database's own idle limits ask for.
 *
 * <p>HikariCP also asks once when the pool is constructed ({@code new HikariDataSource(config)}, or the first
 * {@code getConnection()} of a lazily started one), on the caller's thread, and keeps that first token as its driver
 * data source's default password (it expires 15 minutes later and is never logged; each new connection still gets
 * the token {@link #getCredentials()} answers then). If no token can be had at that moment, the
 * {@link dev.irsa.rds.RdsAuthTokenException} escapes from that constructor or call as it is, not wrapped in
 * HikariCP's {@code PoolInitializationException} or an {@code SQLException}, and regardless of
 * {@code initializationFailTimeout}: the pool is not created. Its message says why (for an IRSA session, what STS
 * said).
 *
 * <p>The token is signed for the endpoint given, by default the host and port of the pool's {@code jdbcUrl}. When the
 * client reaches the database under another name (a custom DNS name, an SSH tunnel or port forward, a proxy), give
 * the database's own endpoint with {@link #install(HikariConfig, RdsAuthTokens, RdsEndpoint)}.
 *
 * <p>For a pool configured only by properties ({@code credentialsProviderClassName}), HikariCP needs a class it can
 * create by name: {@link RdsIamHikariCredentialsProvider}.
 *
 * <p>Thread-safe; {@link #getCredentials()} blocks only while the credential provider does.
 *
 * @since 0.1.0
 */
public final class RdsIamHikariCredentials implements HikariCredentialsProvider {
    private final RdsAuthTokens tokens;
    private final RdsEndpoint endpoint;

    /**
     * Credentials for {@code endpoint}, tokens from {@code tokens}.
     *
     * @param tokens the token source
     * @param endpoint the database endpoint and user
     */
    public RdsIamHikariCredentials(RdsAuthTokens tokens, RdsEndpoint endpoint) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    }

    /**
     * Switches {@code config} to IAM authentication: the endpoint from its {@code jdbcUrl} and {@code username}, the
     * region from the RDS host name (see {@link RdsEndpoint#of(String, int, String)}) unless given. Any password set
     * is cleared.
     *
     * @param config a pool configuration with {@code jdbcUrl} and {@code username} set
     * @param tokens the token source
     * @param region the region, or null to derive it from the host
     * @return the credentials provider installed
     * @throws IllegalArgumentException if the URL, user or region is missing or malformed, or the URL names several
     *         hosts
     * @throws IllegalStateException if the pool has already started (its configuration is sealed)
     */
    public static RdsIamHikariCredentials install(HikariConfig config, RdsAuthTokens tokens, String region) {
        Objects.requireNonNull(config, "config");
        if (config.getJdbcUrl() == null) {
            throw new IllegalArgumentException("IAM authentication for a HikariCP pool needs its jdbcUrl (set with"
                    + " setJdbcUrl / spring.datasource.url); a pool configured through a DataSource class is not supported.");
        }
        return install(config, tokens, RdsEndpoint.fromJdbcUrl(config.getJdbcUrl(), config.getUsername(), region));
    }

    /**
     * Switches {@code config} to IAM authentication for an endpoint given explicitly: the host and port the token is
     * signed for (the database's own endpoint, when the URL names a tunnel, port forward or custom DNS name) and the
     * user. Any password set is cleared; the pool's {@code username} is not used, the endpoint's user is.
     *
     * @param config a pool configuration, not started
     * @param tokens the token source
     * @param endpoint the endpoint and user to sign for
     * @return the credentials provider installed
     * @throws IllegalStateException if the pool has already started (its configuration is sealed)
     */
    public static RdsIamHikariCredentials install(HikariConfig config, RdsAuthTokens tokens, RdsEndpoint endpoint) {
        Objects.requireNonNull(config, "config");
        RdsIamHikariCredentials c = new RdsIamHikariCredentials(tokens, endpoint);
        config.setCredentialsProvider(c);
        config.setPassword(null);
        return c;
    }

    /**
     * {@link #install(HikariConfig, RdsAuthTokens, String)} with the region taken from the host name.
     *
     * @param config a pool configuration with {@code jdbcUrl} and {@code username} set
     * @param tokens the token source
     * @return the credentials provider installed
     * @throws IllegalArgumentException if the URL or user is missing or malformed, or the host names no region
     */
    public static RdsIamHikariCredentials install(HikariConfig config, RdsAuthTokens tokens) {
        return install(config, tokens, (String) null);
    }

    /** {@return the endpoint the tokens are signed for} */
    public RdsEndpoint endpoint() {
        return endpoint;
    }

    /**
     * The database user and a valid token as its password.
     *
     * @return the credentials for a new physical connection
     * @throws dev.irsa.rds.RdsAuthTokenException when no AWS credentials can be had
     */
    @Override
    public Credentials getCredentials() {
        return Credentials.of(endpoint.user(), tokens.token(endpoint));
    }

    @Override
    public String toString() {
        return "RdsIamHikariCredentials[" + endpoint + "]";
    }
}
