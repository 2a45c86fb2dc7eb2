package dev.irsa.rds.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.StsEmulator;
import dev.irsa.testkit.rds.RdsIamDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Whether a host is an Aurora DSQL cluster endpoint is decided twice: by {@link RdsHosts} (what irsa-rds signs for)
 * and by the test kit's {@link RdsIamDatabase#isDsql()} (how the fixture checks a login), which cannot depend on
 * irsa-rds. Both must agree, or a test passes against a fixture that judges a login other than RDS or DSQL would.
 */
class DsqlHostsAgreeWithTheTestKitTest {
    static StsEmulator sts;

    @BeforeAll
    static void start() {
        sts = StsEmulator.start();
    }

    @AfterAll
    static void stop() {
        sts.close();
    }

    @ParameterizedTest(name = "{0}: DSQL {1}")
    @CsvSource({
            "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws, true",
            "abc123.dsql.eu-central-1.on.aws, true",
            "abc123.dsql.us-gov-west-1.on.aws, true",
            "abc123.dsql.ap-southeast-5.on.aws., true",
            "ABC123.DSQL.US-EAST-1.ON.AWS, true",
            "abc123.dsql.localhost.on.aws, false",
            "abc123.dsql.123.on.aws, false",
            "abc123.dsql.us-east.on.aws, false",
            "abc123.dsql.us-east-1x.on.aws, false",
            "abc-123.dsql.us-east-1.on.aws, false",
            "abc123.dsql.us-east-1.on.aws.example.com, false",
            "abc123.dsql-fips.us-east-1.on.aws, false",
            "testdb.abcdefghijkl.us-east-1.rds.amazonaws.com, false",
            "127.0.0.1, false"})
    void theTestKitsDatabaseIsADsqlClusterExactlyWhenIrsaRdsSignsForOne(String host, boolean dsql) {
        assertThat(RdsHosts.isDsqlHost(host)).as("irsa-rds").isEqualTo(dsql);
        try (RdsIamDatabase db = RdsIamDatabase.forEmulator(sts).region("us-east-1").host(host).start()) {
            assertThat(db.isDsql()).as("the test kit").isEqualTo(dsql);
        }
    }
}
