package dev.irsa.testkit.rds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.IssuedCredentials;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsUtilities;

/**
 * The database fixture through its JUnit extension: one database for the class, given to lifecycle and test methods,
 * its verdicts cleared between tests.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RdsIamDatabaseExtensionTest {
    @RegisterExtension
    @Order(1) // JUnit orders extension fields in a way "intentionally nonobvious" unless told: the emulator first
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();
    @RegisterExtension
    @Order(2)
    static final RdsIamDatabaseExtension rds = RdsIamDatabaseExtension.forEmulator(() -> irsa.environment().sts());

    private static RdsIamDatabase first;

    @BeforeAll
    static void started(RdsIamDatabase db) {
        first = db;
        assertThat(RdsIamDriver.isRegistered()).isTrue();
        assertThat(db.region()).isEqualTo(irsa.environment().region());
    }

    static void logIn(RdsIamDatabase db) throws Exception {
        IssuedCredentials c = irsa.environment().sts().issueFor(irsa.environment().roleArn(), "ext", Duration.ofHours(1));
        String token = RdsUtilities.builder().region(Region.of(db.region())).build().generateAuthenticationToken(b -> b
                .hostname(db.host()).port(db.port()).username("app_user").credentialsProvider(
                        () -> AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken())));
        try (Connection conn = DriverManager.getConnection(db.jdbcUrl(), "app_user", token)) {
            assertThat(conn.isValid(1)).isTrue();
        }
    }

    @Test
    @Order(1)
    void aTestGetsTheClasssDatabase(RdsIamDatabase db) throws Exception {
        assertThat(db).isSameAs(first);
        logIn(db);
        assertThat(db.verdicts()).singleElement().matches(RdsAuthTokenVerifier.Verdict::accepted);
    }

    @Test
    @Order(2)
    void theNextStartsWithNoVerdicts(RdsIamDatabase db) throws Exception {
        assertThat(db).isSameAs(first);
        assertThat(db.verdicts()).isEmpty();
        logIn(db);
        assertThat(db.verdicts()).hasSize(1);
        assertThat(db.isClosed()).isFalse();
    }
}
