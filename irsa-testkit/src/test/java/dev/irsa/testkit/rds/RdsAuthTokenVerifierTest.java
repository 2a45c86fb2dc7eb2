package dev.irsa.testkit.rds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.irsa.testkit.IssuedCredentials;
import dev.irsa.testkit.StsEmulator;
import dev.irsa.testkit.rds.RdsAuthTokenVerifier.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.AwsS3V4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4PresignerParams;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsUtilities;

/**
 * The verifier against tokens of two independent signers, the Java SDK's {@link RdsUtilities} and botocore's
 * {@code generate_db_auth_token}, and against hand-made bad tokens, each refused with its own reason.
 */
class RdsAuthTokenVerifierTest {
    static final String HOST = "mydb.abc123.us-west-2.rds.amazonaws.com";
    static final String ROLE = "arn:aws:iam::111122223333:role/db-role";
    static StsEmulator sts;
    static IssuedCredentials creds;

    @BeforeAll
    static void start() {
        sts = StsEmulator.start();
        creds = sts.issueFor(ROLE, "verifier", Duration.ofHours(1));
    }

    @AfterAll
    static void stop() {
        sts.close();
    }

    static AwsSessionCredentials sdk(IssuedCredentials c) {
        return AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken());
    }

    static String sdkToken(AwsSessionCredentials c, String host, int port, String user) {
        return RdsUtilities.builder().region(Region.US_WEST_2).build().generateAuthenticationToken(
                b -> b.hostname(host).port(port).username(user).credentialsProvider(() -> c));
    }

    /** A presigned URL for anything, to make tokens no RDS client would. */
    static String presign(AwsSessionCredentials c, String service, String region, int expiresSeconds, Map<String, String> params) {
        SdkHttpFullRequest.Builder req = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).protocol("https").host(HOST)
                .port(5432).encodedPath("/");
        params.forEach(req::putRawQueryParameter);
        return presign(Aws4Signer.create()::presign, c, service, region, expiresSeconds, req.build(), Clock.systemUTC());
    }

    @SuppressWarnings("deprecation") // Aws4Signer, AwsS3V4Signer: the simplest presigners that take any service name
    static String presign(BiFunction<SdkHttpFullRequest, Aws4PresignerParams, SdkHttpFullRequest> signer, AwsSessionCredentials c, String service, String region, int expiresSeconds,
                          SdkHttpFullRequest req, Clock clock) {
        SdkHttpFullRequest signed = signer.apply(req, Aws4PresignerParams.builder().awsCredentials(c)
                .signingName(service).signingRegion(Region.of(region)).signingClockOverride(clock)
                .expirationTime(clock.instant().plusSeconds(expiresSeconds)).build());
        return signed.getUri().toString().substring("https://".length());
    }

    static Reason verify(String token) {
        return RdsAuthTokenVerifier.forEmulator(sts).verify(token, HOST, 5432, "app_user", "us-west-2").reason();
    }

    static RdsAuthTokenVerifier at(Instant t) {
        return RdsAuthTokenVerifier.forEmulator(sts, Clock.fixed(t, ZoneOffset.UTC));
    }

    @Test
    void acceptsTheJavaSdksTokensAndSaysWhoSignedThem() {
        String token = sdkToken(sdk(creds), HOST, 5432, "app_user");
        RdsAuthTokenVerifier.Verdict v = RdsAuthTokenVerifier.forEmulator(sts).verify(token, HOST, 5432, "app_user", "us-west-2");
        assertThat(v.reason()).as(v.message()).isEqualTo(Reason.ACCEPTED);
        assertThat(v.assumedRoleArn()).isEqualTo("arn:aws:sts::111122223333:assumed-role/db-role/verifier");
        assertThat(v.accessKeyId()).isEqualTo(creds.accessKeyId());
        assertThat(v.toString()).doesNotContain(creds.secretAccessKey(), creds.sessionToken(), token);

        String on443 = sdkToken(sdk(creds), HOST, 443, "app_user");
        assertThat(on443).startsWith(HOST + "/?");
        assertThat(RdsAuthTokenVerifier.forEmulator(sts).verify(on443, HOST, 443, "app_user", "us-west-2").reason())
                .isEqualTo(Reason.ACCEPTED);
    }

    /** /usr/bin/python3 (Debian's python3-botocore), then python3 on the PATH; -Dirsa.test.python=PATH picks another. */
    static String pythonWithBotocore() throws InterruptedException {
        String chosen = System.getProperty("irsa.test.python");
        for (String candidate : chosen != null ? List.of(chosen) : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import botocore").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
                p.destroyForcibly();
            } catch (java.io.IOException notThere) {
                // try the next
            }
        }
        assumeTrue(false, "Skipping: no python3 with botocore (apt-get install python3-botocore, or pip install botocore)");
        return null;
    }

    @Test
    void acceptsBotocoresTokens() throws Exception {
        String python = pythonWithBotocore();
        ProcessBuilder pb = new ProcessBuilder(List.of(python, "src/test/python/rds_auth_token.py", HOST, "5432",
                "app_user", "us-west-2"));
        pb.environment().put("IRSA_TEST_ACCESS_KEY_ID", creds.accessKeyId());
        pb.environment().put("IRSA_TEST_SECRET_ACCESS_KEY", creds.secretAccessKey());
        pb.environment().put("IRSA_TEST_SESSION_TOKEN", creds.sessionToken());
        Path out = Files.createTempFile("rds-token", ".json");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String json = Files.readString(out, StandardCharsets.UTF_8);
            assumeTrue(p.exitValue() == 0 && !json.isBlank(), "Skipping: " + python + " could not make a token");
            Object token = JSONObjectUtils.parse(json).get("token");
            assertThat(verify((String) token)).isEqualTo(Reason.ACCEPTED);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    @SuppressWarnings("deprecation") // AwsS3V4Signer: the SDK's presigner that signs UNSIGNED-PAYLOAD, as S3 wants
    void acceptsOnlyTheEmptyBodyHashAsEveryRdsSignerSignsIt() {
        // One request at one instant, presigned both ways: RDS rebuilds the canonical request with the SHA-256 of the
        // empty body (what RdsUtilities, the legacy Aws4Signer and botocore sign); UNSIGNED-PAYLOAD is S3's convention.
        SdkHttpFullRequest req = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).protocol("https").host(HOST)
                .port(5432).encodedPath("/").putRawQueryParameter("Action", "connect")
                .putRawQueryParameter("DBUser", "app_user").build();
        Clock signedAt = Clock.fixed(Instant.now().minusSeconds(5), ZoneOffset.UTC);
        String emptyBodyHash = presign(Aws4Signer.create()::presign, sdk(creds), "rds-db", "us-west-2", 900, req, signedAt);
        String unsignedPayload = presign(AwsS3V4Signer.create()::presign, sdk(creds), "rds-db", "us-west-2", 900, req, signedAt);
        assertThat(unsignedPayload).as("the same request, only the payload hash differs").isNotEqualTo(emptyBodyHash)
                .startsWith(emptyBodyHash.substring(0, emptyBodyHash.indexOf("X-Amz-Signature=")));

        assertThat(verify(emptyBodyHash)).isEqualTo(Reason.ACCEPTED);
        RdsAuthTokenVerifier.Verdict v = RdsAuthTokenVerifier.forEmulator(sts).verify(unsignedPayload, HOST, 5432, "app_user", "us-west-2");
        assertThat(v.reason()).as(v.message()).isEqualTo(Reason.SIGNATURE_MISMATCH);
        assertThat(v.message()).contains("empty body");
    }

    @Test
    void refusesATokenThatNamesItsUserOrActionTwice() {
        SdkHttpFullRequest twoUsers = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).protocol("https").host(HOST)
                .port(5432).encodedPath("/").putRawQueryParameter("Action", "connect")
                .putRawQueryParameter("DBUser", List.of("app_user", "admin")).build();
        RdsAuthTokenVerifier.Verdict v = RdsAuthTokenVerifier.forEmulator(sts).verify(presign(Aws4Signer.create()::presign, sdk(creds),
                "rds-db", "us-west-2", 900, twoUsers, Clock.systemUTC()), HOST, 5432, "app_user", "us-west-2");
        assertThat(v.reason()).as(v.message()).isEqualTo(Reason.MALFORMED);
        assertThat(v.message()).contains("DBUser");
    }

    @Test
    void refusesWhatIsNotAWellFormedPresignedToken() {
        String token = sdkToken(sdk(creds), HOST, 5432, "app_user");
        String date = token.replaceFirst(".*X-Amz-Date=(\\d{8})T.*", "$1");
        assertThat(verify(token)).isEqualTo(Reason.ACCEPTED);
        for (String[] change : new String[][] {
                {"X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256"},
                {"X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-amz-date"},
                {"%2F" + date + "%2F", "%2F20200101%2F"},
                {"X-Amz-Date=" + date + "T", "X-Amz-Date=" + date.substring(0, 6) + "32T"},
                {"X-Amz-Expires=900", "X-Amz-Expires=0"},
                {"X-Amz-Expires=900", "X-Amz-Expires=fifteen"},
                {"X-Amz-Expires=900", "X-Amz-Expires=900&X-Amz-Expires=60"}}) {
            assertThat(token).contains(change[0]);
            assertThat(verify(token.replace(change[0], change[1]))).as(change[1]).isEqualTo(Reason.MALFORMED);
        }
    }

    @Test
    void refusesEachBadTokenWithItsOwnReason() {
        AwsSessionCredentials good = sdk(creds);
        String token = sdkToken(good, HOST, 5432, "app_user");
        Map<String, String> connect = Map.of("Action", "connect", "DBUser", "app_user");
        assertThat(verify(presign(good, "rds-db", "us-west-2", 900, connect))).as("the hand-made baseline").isEqualTo(Reason.ACCEPTED);

        assertThat(verify("not a token")).isEqualTo(Reason.MALFORMED);
        assertThat(verify(HOST + ":5432/?Action=connect&DBUser=app_user")).isEqualTo(Reason.MALFORMED);
        assertThat(verify(token.replaceFirst("X-Amz-Signature=[0-9a-f]{4}", "X-Amz-Signature=0000")))
                .isEqualTo(Reason.SIGNATURE_MISMATCH);
        assertThat(verify(token.replace("DBUser=app_user", "DBUser=admin"))).isEqualTo(Reason.SIGNATURE_MISMATCH);
        assertThat(verify(sdkToken(AwsSessionCredentials.create(creds.accessKeyId(), "wrong", creds.sessionToken()), HOST, 5432,
                "app_user"))).isEqualTo(Reason.SIGNATURE_MISMATCH);
        assertThat(verify(sdkToken(AwsSessionCredentials.create("ASIANOTISSUED0000000", "s", "t"), HOST, 5432, "app_user")))
                .isEqualTo(Reason.UNKNOWN_ACCESS_KEY);
        assertThat(verify(sdkToken(AwsSessionCredentials.create(creds.accessKeyId(), creds.secretAccessKey(), "other-token"),
                HOST, 5432, "app_user"))).isEqualTo(Reason.WRONG_SESSION_TOKEN);
        assertThat(verify(sdkToken(good, HOST, 5432, "someone_else"))).isEqualTo(Reason.WRONG_USER);
        assertThat(verify(sdkToken(good, HOST, 3306, "app_user"))).isEqualTo(Reason.WRONG_ENDPOINT);
        assertThat(verify(presign(good, "rds-db", "eu-west-1", 900, connect))).isEqualTo(Reason.WRONG_REGION);
        assertThat(verify(presign(good, "rds", "us-west-2", 900, connect))).isEqualTo(Reason.WRONG_SERVICE);
        assertThat(verify(presign(good, "rds-db", "us-west-2", 901, connect))).isEqualTo(Reason.EXPIRES_TOO_LONG);
        assertThat(verify(presign(good, "rds-db", "us-west-2", 900, Map.of("Action", "describe", "DBUser", "app_user"))))
                .isEqualTo(Reason.WRONG_ACTION);

        Instant now = Instant.now();
        assertThat(at(now.plus(Duration.ofMinutes(16))).verify(token, HOST, 5432, "app_user", "us-west-2").reason())
                .isEqualTo(Reason.EXPIRED_TOKEN);
        assertThat(at(now.minus(Duration.ofMinutes(20))).verify(token, HOST, 5432, "app_user", "us-west-2").reason())
                .isEqualTo(Reason.NOT_YET_VALID);
        IssuedCredentials shortLived = sts.issueFor(ROLE, "short", Duration.ofMinutes(1));
        String fromShortLived = sdkToken(sdk(shortLived), HOST, 5432, "app_user");
        RdsAuthTokenVerifier.Verdict v = at(now.plus(Duration.ofMinutes(2))).verify(fromShortLived, HOST, 5432, "app_user", "us-west-2");
        assertThat(v.reason()).as("a token is never valid longer than its credentials").isEqualTo(Reason.EXPIRED_CREDENTIALS);
        assertThat(v.message()).contains("expired at " + shortLived.expiration());
    }
}
