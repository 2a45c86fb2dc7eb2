package dev.irsa.rds.r2dbc;

import dev.irsa.rds.RdsAuthTokens;
import dev.irsa.rds.RdsEndpoint;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import dev.irsa.rds.internal.RdsHosts;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RDS / Aurora IAM authentication (and Aurora DSQL's) for R2DBC connection factories: the password becomes a valid
 * token from {@link RdsAuthTokens}, fetched anew for each connection the driver opens (the cached token while it is
 * safely valid, a newly signed one otherwise), so no connection ever logs in with a stale token.
 *
 * <ul>
 *   <li>r2dbc-postgresql (1.0 and later): {@code PostgresqlConnectionConfiguration.builder().password(}
 *       {@link #passwordPublisher(RdsAuthTokens, RdsEndpoint)}{@code )}, or the {@code password} option of
 *       {@link ConnectionFactoryOptions} set to that publisher: the driver subscribes to it for each connection;</li>
 *   <li>r2dbc-mysql ({@code io.asyncer}, 1.1 and later): the {@code passwordPublisher} option, or
 *       {@code MySqlConnectionConfiguration.builder().passwordPublisher(}{@link #passwordPublisher}{@code )}: a cold
 *       publisher, which the driver subscribes to for each connection. RDS MySQL takes a token only over TLS
 *       ({@code sslMode=REQUIRED} or stricter), as the cleartext plugin needs;</li>
 *   <li>{@link #install(ConnectionFactoryOptions.Builder, String, RdsAuthTokens, RdsEndpoint)} picks the one the
 *       driver understands; under Spring Boot, {@code irsa.rds.enabled=true} does it for the auto-configured
 *       {@code ConnectionFactory} ({@code spring.r2dbc.*}).</li>
 * </ul>
 *
 * <p>The publisher never blocks the thread that subscribes to it (a driver's event loop): a token cached and safely
 * valid for credentials at hand is signalled at once, on that thread; anything else (signing, every few minutes, or
 * waiting while the IRSA session must refresh credentials on the spot, bounded by its wait timeout) is done on a
 * thread of the token source ({@link RdsAuthTokens#tokenAsync(RdsEndpoint)}), which then signals it. The
 * {@link #password(RdsAuthTokens, RdsEndpoint) supplier} form blocks its caller in those cases: for drivers that take
 * no publisher. A token that cannot be had fails that connection with {@link dev.irsa.rds.RdsAuthTokenException},
 * whose message says why; neither the supplier nor the publisher shows a token in its {@code toString()}.
 *
 * @since 0.1.0
 */
public final class RdsIamR2dbc {
    /** r2dbc-mysql's option for a password publisher ({@code MySqlConnectionFactoryProvider.PASSWORD_PUBLISHER}). */
    public static final Option<Publisher<String>> PASSWORD_PUBLISHER = Option.valueOf("passwordPublisher");

    private static final Logger log = LoggerFactory.getLogger(RdsIamR2dbc.class);
    /** Both drivers' option (r2dbc-postgresql also reads {@code sslmode}). */
    private static final Option<Object> SSL_MODE = Option.valueOf("sslMode");
    private static final Option<Object> SSL_MODE_ALIAS = Option.valueOf("sslmode");
    /** Modes that may log in without TLS, lower case: r2dbc-postgresql's, then r2dbc-mysql's. */
    private static final Set<String> PLAINTEXT_MODES = Set.of("disable", "allow", "prefer", "disabled", "preferred");

    private RdsIamR2dbc() {}

    /**
     * A password for each new connection: a valid token for {@code endpoint}. The caller's thread signs or waits for
     * credentials when it must (see the class comment): prefer {@link #passwordPublisher} for a driver that takes one.
     *
     * @param tokens the token source
     * @param endpoint the endpoint and user to sign for
     * @return a supplier the driver calls for each connection
     */
    public static Supplier<CharSequence> password(RdsAuthTokens tokens, RdsEndpoint endpoint) {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(endpoint, "endpoint");
        return new TokenSupplier(tokens, endpoint);
    }

    /**
     * A cold publisher of one valid token for {@code endpoint} per subscription (a Reactive Streams publisher of its
     * own: no Reactor needed), which never blocks the subscribing thread. For r2dbc-postgresql's
     * {@code password(Publisher)} (a {@code Publisher<CharSequence>}: cast it) and r2dbc-mysql's
     * {@code passwordPublisher}.
     *
     * @param tokens the token source
     * @param endpoint the endpoint and user to sign for
     * @return a publisher the driver subscribes to for each connection
     */
    public static Publisher<String> passwordPublisher(RdsAuthTokens tokens, RdsEndpoint endpoint) {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(endpoint, "endpoint");
        return new TokenPublisher(() -> tokens.tokenAsync(endpoint), "RdsIamR2dbc.passwordPublisher[" + endpoint + "]");
    }

    /**
     * Switches connection factory options to IAM authentication: the user is the endpoint's, and the password a token
     * per connection in the form the driver takes ({@code password} as a {@link #passwordPublisher publisher} for
     * {@code postgresql}, the {@code passwordPublisher} option for {@code mysql}). Any password set is replaced.
     *
     * <p>TLS: RDS refuses IAM logins without it, Aurora DSQL any login, and r2dbc-postgresql does not use it unless
     * told. When the options choose no SSL mode ({@code sslMode}, {@code sslmode} or {@code ssl}, from the URL or set
     * before), this sets {@code sslMode=require} ({@code postgresql}) or {@code REQUIRED} ({@code mysql}): encrypted,
     * the server's certificate not checked; choose {@code verify-full} / {@code VERIFY_IDENTITY} with the RDS CA bundle
     * to check it. A mode that allows plaintext for an RDS or DSQL endpoint is kept, with a WARN.
     *
     * @param options the options, e.g. from {@code ConnectionFactoryOptions.parse(url).mutate()}
     * @param driver the options' {@code driver} ({@code postgresql} or {@code mysql}; {@code pool} is not one: give
     *        the pooled driver, its {@code protocol})
     * @param tokens the token source
     * @param endpoint the endpoint and user to sign for
     * @throws IllegalArgumentException for a driver that takes no per-connection password
     */
    public static void install(ConnectionFactoryOptions.Builder options, String driver, RdsAuthTokens tokens,
                               RdsEndpoint endpoint) {
        Objects.requireNonNull(options, "options");
        String d = driver == null ? "" : driver.toLowerCase(Locale.ROOT);
        ConnectionFactoryOptions before = options.build(); // a copy: what the URL and the caller set
        switch (d) {
            case "postgresql", "postgres" -> {
                options.option(ConnectionFactoryOptions.USER, endpoint.user());
                // r2dbc-postgresql reads the password option as a Publisher (or Supplier) when it is one
                @SuppressWarnings({"unchecked", "rawtypes"})
                Option<Object> password = (Option) ConnectionFactoryOptions.PASSWORD;
                options.option(password, passwordPublisher(tokens, endpoint));
            }
            case "mysql" -> {
                options.option(ConnectionFactoryOptions.USER, endpoint.user());
                options.option(PASSWORD_PUBLISHER, passwordPublisher(tokens, endpoint));
            }
            default -> throw new IllegalArgumentException("The R2DBC driver '" + driver + "' takes no password that"
                    + " changes per connection as far as irsa-rds knows: IAM tokens are supported for r2dbc-postgresql"
                    + " (driver postgresql) and r2dbc-mysql (driver mysql).");
        }
        requireTls(options, before, d.equals("mysql") ? "REQUIRED" : "require", endpoint);
    }

    private static void requireTls(ConnectionFactoryOptions.Builder options, ConnectionFactoryOptions before,
                                   String required, RdsEndpoint endpoint) {
        Object mode = before.hasOption(SSL_MODE) ? before.getValue(SSL_MODE) : before.getValue(SSL_MODE_ALIAS);
        Object ssl = before.getValue(ConnectionFactoryOptions.SSL);
        if (mode == null && ssl == null) {
            options.option(SSL_MODE, required);
            log.info("R2DBC connections to {} use sslMode={} (no SSL mode was set, and IAM authentication needs TLS);"
                    + " set sslMode=verify-full (VERIFY_IDENTITY for MySQL) with the RDS CA bundle to check the server's"
                    + " certificate too", endpoint, required);
            return;
        }
        boolean plaintext = mode != null ? PLAINTEXT_MODES.contains(mode.toString().toLowerCase(Locale.ROOT))
                : "false".equalsIgnoreCase(ssl.toString());
        if (plaintext && RdsHosts.isRdsHost(endpoint.host())) {
            log.warn("R2DBC connections to {} are set to {}, which allows a login without TLS: {} refuses IAM"
                    + " authentication without TLS. Set sslMode={} or stricter.", endpoint,
                    mode != null ? "sslMode=" + mode : "ssl=" + ssl, endpoint.isDsql() ? "Aurora DSQL" : "RDS", required);
        }
    }

    /** The token per call; shows the endpoint, never the token. */
    private record TokenSupplier(RdsAuthTokens tokens, RdsEndpoint endpoint) implements Supplier<CharSequence> {
        @Override
        public CharSequence get() {
            return tokens.token(endpoint);
        }

        @Override
        public String toString() {
            return "RdsIamR2dbc.password[" + endpoint + "]";
        }
    }
}
