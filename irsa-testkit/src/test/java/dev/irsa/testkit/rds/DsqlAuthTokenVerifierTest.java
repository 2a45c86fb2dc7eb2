package dev.irsa.testkit.rds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.IssuedCredentials;
import dev.irsa.testkit.StsEmulator;
import dev.irsa.testkit.rds.RdsAuthTokenVerifier.Reason;
import dev.irsa.testkit.rds.RdsAuthTokenVerifier.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4PresignerParams;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.Region;

/**
 * {@link RdsAuthTokenVerifier#verifyDsql}: Aurora DSQL tokens made as the SDK's {@code DsqlUtilities} makes them (the
 * SDK's presigner, service {@code dsql}, the cluster endpoint's host, {@code Action=DbConnect} or
 * {@code DbConnectAdmin}), accepted for the role each action serves and refused otherwise, each with its reason.
 */
class DsqlAuthTokenVerifierTest {
    static final String CLUSTER = "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws";
    static final String REGION = "us-east-1";
    static StsEmulator sts;
    static IssuedCredentials creds;

    @BeforeAll
    static void start() {
        sts = StsEmulator.start();
        creds = sts.issueFor("arn:aws:iam::111122223333:role/dsql-role", "dsql", Duration.ofHours(1));
    }

    @AfterAll
    static void stop() {
        sts.close();
    }

    /** What {@code DsqlUtilities.generateDbConnect[Admin]AuthToken} does: the SDK's presigner over {@code https://host/?Action=...}. */
    @SuppressWarnings("deprecation") // Aws4Signer: what DsqlUtilities itself presigns with
    static String token(AwsSessionCredentials c, String host, int port, String service, String region, String action,
                        long expiresSeconds, Instant at) {
        SdkHttpFullRequest.Builder req = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).protocol("https").host(host)
                .encodedPath("/").putRawQueryParameter("Action", action);
        if (port > 0) {
            req.port(port);
        }
        Clock clock = Clock.fixed(at, ZoneOffset.UTC);
        return Aws4Signer.create().presign(req.build(), Aws4PresignerParams.builder().awsCredentials(c).signingName(service)
                        .signingRegion(Region.of(region)).signingClockOverride(clock)
                        .expirationTime(at.plusSeconds(expiresSeconds)).build())
                .getUri().toString().substring("https://".length());
    }

    static String token(String action) {
        return token(good(), CLUSTER, -1, "dsql", REGION, action, 900, Instant.now());
    }

    static AwsSessionCredentials good() {
        return AwsSessionCredentials.create(creds.accessKeyId(), creds.secretAccessKey(), creds.sessionToken());
    }

    static Verdict verify(String token, String user) {
        return RdsAuthTokenVerifier.forEmulator(sts).verifyDsql(token, CLUSTER, user, REGION);
    }

    @Test
    void acceptsDbConnectAdminForAdminAndDbConnectForACustomRole() {
        String admin = token("DbConnectAdmin");
        assertThat(admin).startsWith(CLUSTER + "/?Action=DbConnectAdmin&");
        Verdict v = verify(admin, "admin");
        assertThat(v.reason()).as(v.message()).isEqualTo(Reason.ACCEPTED);
        assertThat(v.assumedRoleArn()).isEqualTo("arn:aws:sts::111122223333:assumed-role/dsql-role/dsql");
        assertThat(v.toString()).doesNotContain(creds.secretAccessKey(), creds.sessionToken(), admin);

        assertThat(verify(token("DbConnect"), "app_role").reason()).isEqualTo(Reason.ACCEPTED);
        assertThat(verify(token(good(), CLUSTER, -1, "dsql", REGION, "DbConnect", 604_800, Instant.now()), "app_role")
                .reason()).as("DSQL accepts up to a week").isEqualTo(Reason.ACCEPTED);
    }

    @Test
    void refusesTheOtherActionForEachKindOfRoleAndSaysWhich() {
        Verdict adminWithDbConnect = verify(token("DbConnect"), "admin");
        assertThat(adminWithDbConnect.reason()).isEqualTo(Reason.WRONG_ACTION);
        assertThat(adminWithDbConnect.message()).contains("admin role logs in only with DbConnectAdmin");
        Verdict roleWithAdmin = verify(token("DbConnectAdmin"), "app_role");
        assertThat(roleWithAdmin.reason()).isEqualTo(Reason.WRONG_ACTION);
        assertThat(roleWithAdmin.message()).contains("logs in only with DbConnect");
        assertThat(verify(token("connect"), "app_role").reason()).isEqualTo(Reason.WRONG_ACTION);
    }

    @Test
    void refusesRdsTokensOtherClustersPortsRegionsAndWhatDsqlWouldNot() {
        Instant now = Instant.now();
        assertThat(verify(token(good(), CLUSTER, -1, "rds-db", REGION, "DbConnect", 900, now), "app_role").reason())
                .isEqualTo(Reason.WRONG_SERVICE);
        assertThat(verify(token(good(), "zyxwvutsrqponmlkjihgfedcba.dsql.us-east-1.on.aws", -1, "dsql", REGION,
                "DbConnect", 900, now), "app_role").reason()).isEqualTo(Reason.WRONG_ENDPOINT);
        assertThat(verify(token(good(), CLUSTER, 5432, "dsql", REGION, "DbConnect", 900, now), "app_role").reason())
                .as("DSQL's token names no port").isEqualTo(Reason.WRONG_ENDPOINT);
        assertThat(verify(token(good(), CLUSTER, -1, "dsql", "us-east-2", "DbConnect", 900, now), "app_role").reason())
                .isEqualTo(Reason.WRONG_REGION);
        // no SDK signs for more than a week: the parameter changed by hand is refused before the signature is checked
        assertThat(verify(token("DbConnect").replace("X-Amz-Expires=900", "X-Amz-Expires=604801"), "app_role").reason())
                .as("more than a week").isEqualTo(Reason.MALFORMED);
        assertThat(verify(token("DbConnect").replaceFirst("X-Amz-Signature=[0-9a-f]{4}", "X-Amz-Signature=0000"),
                "app_role").reason()).isEqualTo(Reason.SIGNATURE_MISMATCH);
        assertThat(verify(token("DbConnect").replace("Action=DbConnect", "Action=DbConnectAdmin"), "admin").reason())
                .as("the action is signed").isEqualTo(Reason.SIGNATURE_MISMATCH);
        assertThat(verify(token(AwsSessionCredentials.create(creds.accessKeyId(), creds.secretAccessKey(), "other"),
                CLUSTER, -1, "dsql", REGION, "DbConnect", 900, now), "app_role").reason())
                .isEqualTo(Reason.WRONG_SESSION_TOKEN);
        assertThat(RdsAuthTokenVerifier.forEmulator(sts, Clock.fixed(now.plusSeconds(901), ZoneOffset.UTC))
                .verifyDsql(token("DbConnect"), CLUSTER, "app_role", REGION).reason()).isEqualTo(Reason.EXPIRED_TOKEN);
        assertThat(verify(CLUSTER + "/?Action=DbConnect", "app_role").reason()).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void aDsqlTokenIsNoRdsTokenAndTheRdsCheckIsUnchanged() {
        String dsql = token(good(), CLUSTER, 5432, "dsql", REGION, "connect", 900, Instant.now());
        assertThat(RdsAuthTokenVerifier.forEmulator(sts).verify(dsql, CLUSTER, 5432, "app_role", REGION).reason())
                .isEqualTo(Reason.WRONG_SERVICE);
        String longRds = token(good(), CLUSTER, 5432, "rds-db", REGION, "connect", 3600, Instant.now());
        assertThat(RdsAuthTokenVerifier.forEmulator(sts).verify(longRds, CLUSTER, 5432, "app_role", REGION).reason())
                .as("RDS keeps its 15-minute maximum").isEqualTo(Reason.EXPIRES_TOO_LONG);
    }
}
