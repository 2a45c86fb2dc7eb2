package dev.irsa.rds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.zaxxer.hikari.HikariConfig;
import dev.irsa.rds.hikari.RdsIamHikariCredentials;
import dev.irsa.testkit.internal.DocSnippets;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Publisher;

/** The Java that README.md and docs/rds.md show from this module ({@link DocsExamples}) is the code compiled here. */
class DocsSnippetsTest {
    @Test
    void everyBlockShownFromThisModuleIsItsTaggedRegion() {
        assertThat(DocSnippets.assertShownAsWritten(DocSnippets.projectRoot(), "irsa-rds")).isPositive();
    }

    @Test
    void theReadmesHikariSetUpInstallsTheSignerAndNoPassword() {
        Object[] made = DocsExamples.readmeHikari();
        try (RdsAuthTokens tokens = (RdsAuthTokens) made[1]) {
            HikariConfig config = (HikariConfig) made[0];
            assertThat(config.getPassword()).isNull();
            assertThat(config.getCredentialsProvider()).isInstanceOf(RdsIamHikariCredentials.class);
        }
    }

    @Test
    void theR2dbcOptionsShownTakeTheEndpointsUserAndAPasswordPerConnection(@TempDir Path dir) throws IOException {
        RdsEndpoint endpoint = RdsEndpoint.of("mydb.abc123.us-west-2.rds.amazonaws.com", 5432, "app_user");
        try (RdsAuthTokens tokens = RdsAuthTokens.create()) {
            ConnectionFactoryOptions options = DocsExamples.r2dbcOptions(tokens, endpoint);
            assertThat(options.getValue(ConnectionFactoryOptions.USER)).isEqualTo("app_user");
            // a publisher the driver subscribes to per connection (never blocking its event loop), not a supplier
            assertThat(options.getValue(ConnectionFactoryOptions.PASSWORD)).isInstanceOf(Publisher.class);
            assertThat(options.getValue(Option.valueOf("sslMode"))).as("the URL's SSL mode is kept").isEqualTo("verify-full");
            // r2dbc-postgresql's builder checks what it is given (host, SSL mode, a password publisher) when it builds
            // the builder reads the bundle: a real CA certificate (Amazon Root CA 1, public) stands in for RDS's
            Path bundle = dir.resolve("global-bundle.pem");
            try (InputStream ca = DocsSnippetsTest.class.getResourceAsStream("amazon-root-ca-1.pem")) {
                Files.copy(ca, bundle);
            }
            assertThatCode(() -> DocsExamples.r2dbcPostgresql(tokens, endpoint, bundle.toString())).doesNotThrowAnyException();
        }
    }
}
