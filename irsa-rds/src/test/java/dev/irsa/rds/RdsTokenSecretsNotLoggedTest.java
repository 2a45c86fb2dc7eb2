package dev.irsa.rds;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The SDK's SigV4 signers (the legacy {@code Aws4Signer} that {@code RdsUtilities} uses, and {@code AwsV4HttpSigner})
 * log each canonical request at DEBUG, and a presigned token's canonical request holds {@code X-Amz-Security-Token}.
 * With DEBUG on for every SDK logger, signing a token must log no secret.
 */
class RdsTokenSecretsNotLoggedTest {
    static final String SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLEsessionTOKENvalue0123456789";
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    @Test
    void signingWithSdkDebugLoggingOnLogsNoSessionTokenOrSecret() {
        Logger sdk = (Logger) LoggerFactory.getLogger("software.amazon.awssdk");
        Logger ours = (Logger) LoggerFactory.getLogger("dev.irsa");
        Level sdkBefore = sdk.getLevel();
        Level oursBefore = ours.getLevel();
        sdk.setLevel(Level.TRACE);
        ours.setLevel(Level.TRACE);
        String token;
        try (LogCapture logs = new LogCapture();
             RdsAuthTokens tokens = RdsAuthTokens.builder().credentialsProvider(StaticCredentialsProvider.create(
                     AwsSessionCredentials.create("ASIAEXAMPLEKEYID0001", SECRET, SESSION_TOKEN))).build()) {
            token = tokens.token(RdsEndpoint.of("mydb.abc123.us-west-2.rds.amazonaws.com", 5432, "app_user"));
            assertThat(token).as("the token itself carries the session token").contains("X-Amz-Security-Token=");
            assertThat(logs.all()).doesNotContain(SESSION_TOKEN, SECRET, token.substring(token.indexOf("X-Amz-Signature=")));
            String dsql = tokens.token(RdsEndpoint.of("abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws", 5432, "admin"));
            assertThat(dsql).contains("X-Amz-Security-Token=");
            assertThat(logs.all()).contains("Signed an Aurora DSQL DbConnectAdmin token for admin@")
                    .doesNotContain(SESSION_TOKEN, SECRET, dsql.substring(dsql.indexOf("X-Amz-Signature=")));
        } finally {
            sdk.setLevel(sdkBefore);
            ours.setLevel(oursBefore);
        }
    }
}
