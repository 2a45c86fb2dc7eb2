package dev.irsa.rds.spring;

import dev.irsa.rds.RdsAuthTokens;
import dev.irsa.rds.RdsEndpoint;
import dev.irsa.rds.internal.RdsHosts;
import dev.irsa.rds.r2dbc.RdsIamR2dbc;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * What {@link IrsaR2dbcAutoConfiguration} does to the auto-configured factory's options. Spring Boot's options builder
 * cannot be read, so what to sign for is read from the same properties Spring Boot built it from
 * ({@code spring.r2dbc.url}, {@code spring.r2dbc.username}, {@code spring.r2dbc.password}) and {@code irsa.rds.*}.
 */
final class R2dbcIamCustomizer {
    private static final Logger log = LoggerFactory.getLogger(IrsaR2dbcAutoConfiguration.class);

    private final ObjectProvider<RdsAuthTokens> tokens;
    private final Binder binder;

    R2dbcIamCustomizer(ObjectProvider<RdsAuthTokens> tokens, Binder binder) {
        this.tokens = tokens;
        this.binder = binder;
    }

    void customize(ConnectionFactoryOptions.Builder options) {
        Boolean forced = binder.bind("irsa.rds.r2dbc.enabled", Boolean.class).orElse(null);
        boolean force = Boolean.TRUE.equals(forced);
        try {
            String url = binder.bind("spring.r2dbc.url", String.class).orElse(null);
            if (url == null) {
                throw new IllegalArgumentException("spring.r2dbc.url is not set (an embedded database)");
            }
            ConnectionFactoryOptions parsed;
            try {
                parsed = ConnectionFactoryOptions.parse(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("spring.r2dbc.url is not an r2dbc: URL Spring Boot can use");
            }
            String driver = (String) parsed.getValue(ConnectionFactoryOptions.DRIVER);
            if ("pool".equals(driver)) {
                String protocol = (String) parsed.getValue(ConnectionFactoryOptions.PROTOCOL);
                driver = protocol == null ? null : protocol.split(":")[0];
            }
            String urlHost = (String) parsed.getValue(ConnectionFactoryOptions.HOST);
            if (urlHost == null) {
                throw new IllegalArgumentException("spring.r2dbc.url names no host");
            }
            String host = binder.bind("irsa.rds.host", String.class).orElse(urlHost);
            String d = driver == null ? "" : driver.toLowerCase(Locale.ROOT);
            Object urlPort = parsed.getValue(ConnectionFactoryOptions.PORT);
            Integer port = binder.bind("irsa.rds.port", Integer.class).orElse(urlPort == null ? null
                    : urlPort instanceof Integer i ? i : Integer.valueOf(urlPort.toString()));
            if (port == null) {
                port = switch (d) {
                    case "postgresql", "postgres" -> 5432;
                    case "mysql" -> 3306;
                    default -> throw new IllegalArgumentException("its driver '" + driver + "' takes no per-connection"
                            + " password as far as irsa-rds knows (r2dbc-postgresql and r2dbc-mysql do)");
                };
            }
            Object urlUser = parsed.getValue(ConnectionFactoryOptions.USER);
            String user = binder.bind("spring.r2dbc.username", String.class)
                    .orElse(urlUser == null ? null : urlUser.toString());
            if (!force) {
                if (!RdsHosts.isRdsHost(host)) {
                    throw new IllegalArgumentException("its URL names no RDS endpoint or Aurora DSQL cluster endpoint");
                }
                if (binder.bind("spring.r2dbc.password", String.class).isBound()
                        || parsed.hasOption(ConnectionFactoryOptions.PASSWORD)) {
                    throw new IllegalArgumentException("it has a password of its own (spring.r2dbc.password or in the"
                            + " URL), which IAM authentication would replace");
                }
            }
            RdsEndpoint endpoint = RdsEndpoint.of(host, port, user, binder.bind("irsa.rds.region", String.class).orElse(null));
            RdsIamR2dbc.install(options, d, tokens.getObject(), endpoint);
            log.info("The R2DBC ConnectionFactory (spring.r2dbc.*) uses {} for {}", endpoint.isDsql()
                    ? "Aurora DSQL IAM authentication" : "RDS IAM database authentication", endpoint);
        } catch (IllegalArgumentException e) {
            if (force) {
                throw new IllegalStateException("irsa.rds.r2dbc.enabled=true, but the R2DBC ConnectionFactory"
                        + " (spring.r2dbc.*) cannot use IAM database authentication: " + e.getMessage(), e);
            }
            log.warn("The R2DBC ConnectionFactory (spring.r2dbc.*) is left as it is, without IAM database"
                    + " authentication: {}. To switch it anyway, set irsa.rds.r2dbc.enabled=true (with irsa.rds.host /"
                    + " port / region if its URL names a tunnel or another name).", e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "R2dbcIamCustomizer[spring.r2dbc]";
    }
}
