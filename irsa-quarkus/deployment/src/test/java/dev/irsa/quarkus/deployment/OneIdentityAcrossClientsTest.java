package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.rds.RdsAuthTokenVerifier;
import dev.irsa.testkit.rds.RdsIamDatabase;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One application as it is used on a pod: Quarkiverse's {@link S3Client} (no credentials property), an Agroal data
 * source with {@code credentials-provider=irsa-rds}, and the application's own injection of the provider, together.
 * One {@code AssumeRoleWithWebIdentity} for all of them, and one key: S3's requests and the database's tokens are
 * signed with the session's.
 */
class OneIdentityAcrossClientsTest {
    private static final String STS_BEFORE = "irsa.quarkus.test.one-identity.sts-before";

    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class))
            .setBeforeAllCustomizer(() -> SharedState.get().put(STS_BEFORE,
                    Fixture.stsCalls("AssumeRoleWithWebIdentity"))))
            .overrideConfigKey("quarkus.s3.endpoint-override", Fixture.config().get("s3.endpoint"))
            .overrideConfigKey("quarkus.s3.path-style-access", "true")
            .overrideConfigKey("quarkus.s3.aws.region", "us-west-2")
            .overrideConfigKey("quarkus.datasource.db-kind", "other")
            .overrideConfigKey("quarkus.datasource.jdbc.driver", RdsIamDatabase.DRIVER_CLASS_NAME)
            .overrideConfigKey("quarkus.datasource.jdbc.url", Fixture.rdsJdbcUrl(Fixture.RDS_HOST, "orders"))
            .overrideConfigKey("quarkus.datasource.credentials-provider", "irsa-rds")
            .overrideConfigKey("quarkus.datasource.credentials-provider-name", "irsa-rds")
            .overrideConfigKey("quarkus.irsa.rds.host", Fixture.RDS_HOST)
            .overrideConfigKey("quarkus.irsa.rds.user", "app_user");

    @Inject
    S3Client s3;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    AwsCredentialsProvider irsa;

    @Test
    void s3AndTheDataSourceShareOneSessionAndOneKey() throws Exception {
        String sessionKey = irsa.resolveCredentials().accessKeyId();

        assertThat(s3.listBuckets().buckets()).hasSize(1);
        List<String> s3Keys = Fixture.s3Keys();
        assertThat(s3Keys.get(s3Keys.size() - 1)).isEqualTo(sessionKey);

        RdsIamDatabase db = Fixture.rdsDatabase(Fixture.RDS_HOST);
        int before = db.verdicts().size();
        try (Connection c = dataSource.getConnection()) {
            assertThat(c.isValid(1)).isTrue();
        }
        assertThat(db.verdicts().subList(before, db.verdicts().size())).isNotEmpty().allSatisfy(v -> {
            assertThat(v.reason()).isEqualTo(RdsAuthTokenVerifier.Reason.ACCEPTED);
            assertThat(v.accessKeyId()).isEqualTo(sessionKey);
        });

        assertThat(Fixture.assumedRoleOf(sessionKey)).startsWith("arn:aws:sts::111122223333:assumed-role/app-role/");
        assertThat(Fixture.stsCalls("AssumeRoleWithWebIdentity"))
                .as("one session for S3, the data source and the application")
                .isEqualTo((long) SharedState.get().get(STS_BEFORE) + 1);
    }
}
