package dev.irsa.rds.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsUtilities;

/**
 * Our signer against the SDK's {@code RdsUtilities.generateAuthenticationToken}: the same token, byte for byte, signed
 * at the second the SDK's own token says it was signed at (it signs with the system clock and takes no other).
 */
class RdsTokenSignerTest {
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @ParameterizedTest(name = "{0}:{1} {2} {3} session={4}")
    @CsvSource({
            "mydb.abc123.us-west-2.rds.amazonaws.com, 5432, app_user, us-west-2, true",
            "mydb.abc123.us-west-2.rds.amazonaws.com, 5432, app_user, us-west-2, false",
            "db.cluster-123456789012.rds.cn-north-1.amazonaws.com.cn, 3306, reader, cn-north-1, true",
            "db.proxy-123456789012.us-gov-west-1.rds.amazonaws.com, 443, app_user, us-gov-west-1, true",
            "127.0.0.1, 15432, 'user with space+plus/slash*star~tilde@at=eq&amp%pct', eu-central-1, true",
            "db.x.eu-west-1.rds.amazonaws.com, 5432, 'ünïcødé_用户', eu-west-1, true",
    })
    void signsTheSameTokenAsTheSdksRdsUtilities(String host, int port, String user, String region, boolean session) {
        AwsCredentials credentials = session
                ? AwsSessionCredentials.create("ASIAEXAMPLEKEYID0001", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                        "IQoJb3JpZ2luX2Vj//+/session=token&with%odd+chars")
                : AwsBasicCredentials.create("AKIAEXAMPLEKEYID0001", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        String sdk = RdsUtilities.builder().region(Region.of(region)).build()
                .generateAuthenticationToken(b -> b.hostname(host).port(port).username(user).credentialsProvider(() -> credentials));
        int i = sdk.indexOf("X-Amz-Date=") + "X-Amz-Date=".length();
        Instant signedAt = Instant.from(AMZ_DATE.parse(sdk.substring(i, i + 16)));

        assertThat(RdsTokenSigner.sign(host, port, user, region, credentials, signedAt)).isEqualTo(sdk);
    }
    /**
     * A fully qualified name ({@code db.example.com.}, trailing dot) names the same host as without the dot, and RDS
     * knows its endpoint by the name without it: the endpoint drops the dot, so the token is the one RdsUtilities
     * signs for the endpoint's name, byte for byte (RdsUtilities itself signs whatever host string it is given).
     */
    @ParameterizedTest(name = "{0}.")
    @CsvSource({
            "mydb.abc123.us-west-2.rds.amazonaws.com, 5432",
            "db.cluster-123456789012.rds.cn-north-1.amazonaws.com.cn, 3306",
            "db.example.com, 443",
    })
    void aTrailingDotIsNotSignedIn(String host, int port) {
        AwsCredentials credentials = AwsSessionCredentials.create("ASIAEXAMPLEKEYID0001",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "IQoJb3JpZ2luX2Vj");
        dev.irsa.rds.RdsEndpoint endpoint = dev.irsa.rds.RdsEndpoint.of(host + ".", port, "app_user", "us-west-2");
        assertThat(endpoint.host()).isEqualTo(host);
        String sdk = RdsUtilities.builder().region(Region.US_WEST_2).build().generateAuthenticationToken(
                b -> b.hostname(host).port(port).username("app_user").credentialsProvider(() -> credentials));
        int i = sdk.indexOf("X-Amz-Date=") + "X-Amz-Date=".length();
        Instant signedAt = Instant.from(AMZ_DATE.parse(sdk.substring(i, i + 16)));
        assertThat(RdsTokenSigner.sign(endpoint.host(), endpoint.port(), endpoint.user(), endpoint.region(), credentials,
                signedAt)).isEqualTo(sdk);
        assertThat(dev.irsa.rds.RdsEndpoint.fromJdbcUrl("jdbc:postgresql://" + host + ".:" + port + "/app", "app_user",
                "us-west-2").host()).isEqualTo(host);
    }
}
