package dev.irsa.rds.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;

/**
 * Our DSQL signer against the SDK's {@code DsqlUtilities} ({@code generateDbConnectAuthToken} and
 * {@code generateDbConnectAdminAuthToken}): the same token, byte for byte, at a fixed clock and with fixed
 * credentials. Skipped, not failed, on an SDK without the DSQL utility (the SDK floor) or one it cannot run on.
 */
class DsqlTokenSignerTest {
    private static final Instant AT = Instant.parse("2026-12-07T18:04:05Z");

    @ParameterizedTest(name = "{0} {1} admin={2} session={3}")
    @CsvSource({
            "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws, us-east-1, true, true",
            "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws, us-east-1, false, true",
            "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws, us-east-1, true, false",
            "a1b2c3d4e5f6g7h8i9j0.dsql.eu-west-2.on.aws, eu-west-2, false, false",
    })
    void signsTheSameTokenAsTheSdksDsqlUtilities(String host, String region, boolean admin, boolean session) {
        AwsCredentials credentials = session
                ? AwsSessionCredentials.create("ASIAEXAMPLEKEYID0001", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                        "IQoJb3JpZ2luX2Vj//+/session=token&with%odd+chars")
                : AwsBasicCredentials.create("AKIAEXAMPLEKEYID0001", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        String sdk = sdkToken(host, region, admin, credentials);

        String ours = RdsTokenSigner.signDsql(host, admin, region, credentials, AT);

        assertThat(ours).isEqualTo(sdk).startsWith(host + "/?Action=" + (admin ? "DbConnectAdmin&" : "DbConnect&"))
                .contains("%2F" + region + "%2Fdsql%2Faws4_request").contains("X-Amz-Expires=900&");
    }

    /** {@code DsqlUtilities} at {@link #AT}, through its clock-taking constructor (it has no other way to fix time). */
    private static String sdkToken(String host, String region, boolean admin, AwsCredentials credentials) {
        try {
            Class.forName("software.amazon.awssdk.services.dsql.DefaultDsqlUtilities");
        } catch (ClassNotFoundException e) {
            Assumptions.abort("The AWS SDK on the class path has no DSQL token utility (software.amazon.awssdk:dsql)");
        }
        try {
            software.amazon.awssdk.services.dsql.DefaultDsqlUtilities.DefaultBuilder b =
                    new software.amazon.awssdk.services.dsql.DefaultDsqlUtilities.DefaultBuilder();
            b.region(Region.of(region)).credentialsProvider(() -> credentials);
            var utilities = new software.amazon.awssdk.services.dsql.DefaultDsqlUtilities(b, Clock.fixed(AT, ZoneOffset.UTC));
            return admin
                    ? utilities.generateDbConnectAdminAuthToken(r -> r.hostname(host))
                    : utilities.generateDbConnectAuthToken(r -> r.hostname(host));
        } catch (LinkageError e) {
            Assumptions.abort("The DSQL token utility does not run on this AWS SDK core: " + e);
            throw e;
        }
    }
}
