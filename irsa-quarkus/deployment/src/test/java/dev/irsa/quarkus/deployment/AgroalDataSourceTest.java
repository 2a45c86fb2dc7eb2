package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Quarkus data source (Agroal) with {@code quarkus.datasource.credentials-provider=irsa-rds}: every login the pool
 * makes carries an IAM token the database (here a driver that verifies as RDS does) accepts.
 */
class AgroalDataSourceTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class, RdsVerifyingDriver.class)))
            .overrideConfigKey("quarkus.datasource.db-kind", "other")
            .overrideConfigKey("quarkus.datasource.jdbc.driver", RdsVerifyingDriver.class.getName())
            .overrideConfigKey("quarkus.datasource.jdbc.url", "jdbc:rds-verify://" + Fixture.RDS_HOST + ":5432/orders")
            .overrideConfigKey("quarkus.datasource.credentials-provider", "irsa-rds")
            .overrideConfigKey("quarkus.datasource.credentials-provider-name", "irsa-rds")
            .overrideConfigKey("quarkus.irsa.rds.host", Fixture.RDS_HOST)
            .overrideConfigKey("quarkus.irsa.rds.user", "app_user");

    @Inject
    AgroalDataSource dataSource;

    @Test
    void thePoolLogsInWithIamTokens() throws Exception {
        int before = Fixture.logins().size();
        try (Connection a = dataSource.getConnection(); Connection b = dataSource.getConnection()) {
            assertThat(a.isValid(1)).isTrue();
            assertThat(b.isValid(1)).isTrue();
        }
        assertThat(Fixture.logins().subList(before, Fixture.logins().size())).hasSize(2)
                .allSatisfy(v -> assertThat(v).startsWith("ACCEPTED arn:aws:sts::111122223333:assumed-role/app-role/"));
    }
}
