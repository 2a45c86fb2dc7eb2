package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.rds.RdsAuthTokenVerifier;
import dev.irsa.testkit.rds.RdsIamDatabase;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Quarkus data source (Agroal) with {@code quarkus.datasource.credentials-provider=irsa-rds}: every login the pool
 * makes carries an IAM token the database (the test kit's {@link RdsIamDatabase}, which verifies as RDS does)
 * accepts.
 */
class AgroalDataSourceTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class)))
            .overrideConfigKey("quarkus.datasource.db-kind", "other")
            .overrideConfigKey("quarkus.datasource.jdbc.driver", RdsIamDatabase.DRIVER_CLASS_NAME)
            .overrideConfigKey("quarkus.datasource.jdbc.url", Fixture.rdsJdbcUrl(Fixture.RDS_HOST, "orders"))
            .overrideConfigKey("quarkus.datasource.credentials-provider", "irsa-rds")
            .overrideConfigKey("quarkus.datasource.credentials-provider-name", "irsa-rds")
            .overrideConfigKey("quarkus.irsa.rds.host", Fixture.RDS_HOST)
            .overrideConfigKey("quarkus.irsa.rds.user", "app_user");

    @Inject
    AgroalDataSource dataSource;

    @Test
    void thePoolLogsInWithIamTokens() throws Exception {
        RdsIamDatabase db = Fixture.rdsDatabase(Fixture.RDS_HOST);
        int before = db.verdicts().size();
        try (Connection a = dataSource.getConnection(); Connection b = dataSource.getConnection()) {
            assertThat(a.isValid(1)).isTrue();
            assertThat(b.isValid(1)).isTrue();
        }
        assertThat(db.verdicts().subList(before, db.verdicts().size())).hasSize(2).allSatisfy(v -> {
            assertThat(v.reason()).isEqualTo(RdsAuthTokenVerifier.Reason.ACCEPTED);
            assertThat(v.assumedRoleArn()).startsWith("arn:aws:sts::111122223333:assumed-role/app-role/");
        });
    }
}
