package dev.irsa.rds;

import dev.irsa.rds.hikari.RdsIamHikariCredentials;
import dev.irsa.rds.jdbcwrapper.AwsJdbcWrapperCredentials;
import dev.irsa.rds.r2dbc.RdsIamR2dbc;
import dev.irsa.sdk.IrsaCredentialsProvider;
import com.zaxxer.hikari.HikariConfig;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.client.SSLMode;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.reactivestreams.Publisher;

/**
 * Code README.md and docs/rds.md show, compiled against this module's class path and checked against the pages by
 * {@link DocsSnippetsTest}. {@link #readmeHikari()} runs there too; the others need a database and a pod, and run
 * against the emulator, the verifier and PostgreSQL in this module's other tests.
 */
final class DocsExamples {
    private DocsExamples() {
    }

    /** README.md: the HikariCP set-up; returns the configuration and the tokens to close. */
    static Object[] readmeHikari() {
        // tag::rds-hikari[]
        RdsAuthTokens tokens = RdsAuthTokens.create();   // IrsaCredentialsProvider.create() inside; close() at shutdown
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://mydb.abc123.us-east-1.rds.amazonaws.com:5432/app?sslmode=require");
        config.setUsername("app_user");
        RdsIamHikariCredentials.install(config, tokens);   // no password
        // end::rds-hikari[]
        return new Object[] {config, tokens};
    }

    static Connection plainJdbc(String url) throws SQLException {
        // tag::rds-jdbc[]
        RdsAuthTokens tokens = RdsAuthTokens.create();   // IrsaCredentialsProvider.create() inside; close() at shutdown
        Connection c = DriverManager.getConnection(url, "app_user",
                tokens.token(RdsEndpoint.of("mydb.abc123.us-east-1.rds.amazonaws.com", 5432, "app_user")));
        // end::rds-jdbc[]
        return c;
    }

    static HikariConfig hikari(RdsAuthTokens tokens) {
        // tag::rds-hikari-install[]
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://mydb.abc123.us-east-1.rds.amazonaws.com:5432/app");
        config.setUsername("app_user");
        RdsIamHikariCredentials.install(config, tokens);   // no password
        // end::rds-hikari-install[]
        return config;
    }

    static void jdbcWrapper() {
        // tag::rds-wrapper[]
        AwsJdbcWrapperCredentials.register(IrsaCredentialsProvider.create());
        // jdbc:aws-wrapper:postgresql://mydb...:5432/app?wrapperPlugins=iam&iamExpiration=300   (user=app_user)
        // end::rds-wrapper[]
    }

    @SuppressWarnings("unchecked") // r2dbc-postgresql takes a Publisher<CharSequence>; ours publishes Strings
    static PostgresqlConnectionConfiguration r2dbcPostgresql(RdsAuthTokens tokens, RdsEndpoint endpoint, String rdsCaBundle) {
        // tag::rds-r2dbc[]
        PostgresqlConnectionConfiguration config = PostgresqlConnectionConfiguration.builder()
                .host(endpoint.host()).port(endpoint.port()).username(endpoint.user()).database("app")
                // subscribed to per connection; never blocks the driver's event loop
                .password((Publisher<CharSequence>) (Publisher<?>) RdsIamR2dbc.passwordPublisher(tokens, endpoint))
                .sslMode(SSLMode.VERIFY_FULL).sslRootCert(rdsCaBundle)   // e.g. /etc/rds/global-bundle.pem, which must exist
                .build();
        // r2dbc-mysql (io.asyncer): MySqlConnectionConfiguration.builder()...
        //         .passwordPublisher(RdsIamR2dbc.passwordPublisher(tokens, endpoint)).sslMode(SslMode.VERIFY_IDENTITY)...
        // end::rds-r2dbc[]
        return config;
    }

    static ConnectionFactoryOptions r2dbcOptions(RdsAuthTokens tokens, RdsEndpoint endpoint) {
        // tag::rds-r2dbc-options[]
        ConnectionFactoryOptions.Builder options = ConnectionFactoryOptions
                .parse("r2dbc:postgresql://mydb.abc123.us-west-2.rds.amazonaws.com:5432/app?sslMode=verify-full").mutate();
        RdsIamR2dbc.install(options, "postgresql", tokens, endpoint);   // user and a per-connection password ("mysql" too)
        // end::rds-r2dbc-options[]
        return options.build();
    }
}
