package dev.irsa.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsWebIdentityTokenFileCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
import software.amazon.awssdk.services.sts.model.StsException;

/** The emulator against the real AWS SDK v2 StsClient over loopback HTTP. */
class StsEmulatorTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private static final SecureRandom RANDOM = new SecureRandom();

    private StsClient sts;

    @BeforeEach
    void client() {
        sts = Sts.anonymous(irsa.stsEndpoint(), irsa.region());
    }

    @AfterEach
    void closeClient() {
        sts.close();
    }

    private AssumeRoleWithWebIdentityResponse assume(String token) {
        return assume(token, r -> { });
    }

    private AssumeRoleWithWebIdentityResponse assume(String token, Consumer<AssumeRoleWithWebIdentityRequest.Builder> more) {
        AssumeRoleWithWebIdentityRequest.Builder b = AssumeRoleWithWebIdentityRequest.builder()
                .roleArn(irsa.roleArn()).roleSessionName("test-session").webIdentityToken(token);
        more.accept(b);
        return sts.assumeRoleWithWebIdentity(b.build());
    }

    private String token() throws Exception {
        return Files.readString(irsa.tokenFile());
    }

    private void assertStsError(Runnable call, int status, String code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StsException.class, e -> {
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
            assertThat(e.statusCode()).isEqualTo(status);
            assertThat(e.requestId()).isNotBlank();
        });
    }

    @Test
    void assumesRoleAndSignsGetCallerIdentityWithTheIssuedCredentials(IrsaEnvironment env) throws Exception {
        AssumeRoleWithWebIdentityResponse r = assume(token());

        Credentials c = r.credentials();
        assertThat(c.accessKeyId()).startsWith("ASIA").hasSize(20);
        assertThat(c.secretAccessKey()).isNotBlank();
        assertThat(c.sessionToken()).isNotBlank();
        assertThat(c.expiration()).isBetween(Instant.now().plus(Duration.ofMinutes(59)), Instant.now().plus(Duration.ofMinutes(61)));
        assertThat(r.assumedRoleUser().arn()).isEqualTo("arn:aws:sts::111122223333:assumed-role/app-role/test-session");
        assertThat(r.assumedRoleUser().assumedRoleId()).matches("AROA[A-Z2-7]{17}:test-session");
        assertThat(r.subjectFromWebIdentityToken()).isEqualTo("system:serviceaccount:default:app");
        assertThat(r.audience()).isEqualTo("sts.amazonaws.com");
        assertThat(r.provider()).isEqualTo("arn:aws:iam::111122223333:oidc-provider/" + env.issuer().hostAndPath());

        try (StsClient signed = Sts.signedWith(irsa.stsEndpoint(), irsa.region(), c)) {
            GetCallerIdentityResponse id = signed.getCallerIdentity();
            assertThat(id.account()).isEqualTo("111122223333");
            assertThat(id.arn()).isEqualTo(r.assumedRoleUser().arn());
            assertThat(id.userId()).isEqualTo(r.assumedRoleUser().assumedRoleId());
        }
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity", "Success")).isEqualTo(1);
        assertThat(env.sts().calls().count("GetCallerIdentity", "Success")).isEqualTo(1);
    }

    @Test
    void issuesUniqueAccessKeys() throws Exception {
        String t = token();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            keys.add(assume(t).credentials().accessKeyId());
        }
        assertThat(keys).doesNotHaveDuplicates();
    }

    @Test
    void theSdksOwnWebIdentityProviderWorksAgainstTheEmulator(IrsaEnvironment env) {
        try (StsWebIdentityTokenFileCredentialsProvider provider = StsWebIdentityTokenFileCredentialsProvider.builder()
                .stsClient(sts).roleArn(irsa.roleArn()).webIdentityTokenFile(irsa.tokenFile())
                .roleSessionName("sdk-provider").build();
             StsClient signed = StsClient.builder().endpointOverride(irsa.stsEndpoint()).region(Region.of(irsa.region()))
                     .credentialsProvider(provider).build()) {
            GetCallerIdentityResponse id = signed.getCallerIdentity();
            assertThat(id.arn()).isEqualTo("arn:aws:sts::111122223333:assumed-role/app-role/sdk-provider");
        }
    }

    @Test
    void honoursDurationAndRoleMaximum() throws Exception {
        String t = token();
        Instant exp = assume(t, b -> b.durationSeconds(900)).credentials().expiration();
        assertThat(exp).isBefore(Instant.now().plus(Duration.ofMinutes(16)));
        assertStsError(() -> assume(t, b -> b.durationSeconds(43200 + 1)), 400, "ValidationError");
        assertStsError(() -> assume(t, b -> b.durationSeconds(899)), 400, "ValidationError");
    }

    @Test
    void durationBeyondTheRolesMaximumIsRefused(IrsaEnvironment env) throws Exception {
        String role = env.sts().createRole("111122223333", "short-role",
                TrustPolicy.forServiceAccount("111122223333", env.issuer().hostAndPath(), "default", "app"), Duration.ofHours(1));
        String t = token();
        assertThatThrownBy(() -> sts.assumeRoleWithWebIdentity(b -> b.roleArn(role).roleSessionName("s1").webIdentityToken(t)
                .durationSeconds(7200))).isInstanceOfSatisfying(StsException.class, e -> {
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
                    assertThat(e.awsErrorDetails().errorMessage()).contains("MaxSessionDuration");
                });
    }

    @Test
    void rejectsBadSessionNames() throws Exception {
        String t = token();
        assertStsError(() -> assume(t, b -> b.roleSessionName("x")), 400, "ValidationError");
        assertStsError(() -> assume(t, b -> b.roleSessionName("a".repeat(65))), 400, "ValidationError");
        assertStsError(() -> assume(t, b -> b.roleSessionName("has space")), 400, "ValidationError");
        assertThat(assume(t, b -> b.roleSessionName("ok_+=,.@-name")).credentials()).isNotNull();
    }

    @Test
    void rejectsMalformedRoleArn() throws Exception {
        String t = token();
        assertStsError(() -> assume(t, b -> b.roleArn("arn:aws:iam::1111:role/x-not-valid")), 400, "ValidationError");
        assertStsError(() -> assume(t, b -> b.roleArn("short")), 400, "ValidationError");
    }

    @Test
    void unknownRoleIsAccessDenied() throws Exception {
        String t = token();
        assertStsError(() -> assume(t, b -> b.roleArn("arn:aws:iam::111122223333:role/nope")), 403, "AccessDenied");
    }

    @Test
    void sessionPolicyLimits() throws Exception {
        String t = token();
        String ok = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}";
        assertThat(assume(t, b -> b.policy(ok)).packedPolicySize()).isBetween(1, 100);
        assertStsError(() -> assume(t, b -> b.policy("{not json")), 400, "MalformedPolicyDocument");
        assertStsError(() -> assume(t, b -> b.policy("{\"Version\":\"2012-10-17\"}")), 400, "MalformedPolicyDocument");
        assertStsError(() -> assume(t, b -> b.policy("x".repeat(2049))), 400, "ValidationError");
        StringBuilder big = new StringBuilder("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":[");
        while (big.length() < 1900) {
            byte[] noise = new byte[24];
            RANDOM.nextBytes(noise);
            big.append("\"arn:aws:s3:::").append(Base64.getUrlEncoder().withoutPadding().encodeToString(noise)).append("\",");
        }
        big.setLength(big.length() - 1);
        big.append("]}]}");
        assertStsError(() -> assume(t, b -> b.policy(big.toString())), 400, "PackedPolicyTooLarge");
        List<software.amazon.awssdk.services.sts.model.PolicyDescriptorType> arns = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            arns.add(software.amazon.awssdk.services.sts.model.PolicyDescriptorType.builder()
                    .arn("arn:aws:iam::aws:policy/ReadOnlyAccess" + i).build());
        }
        assertStsError(() -> assume(t, b -> b.policyArns(arns)), 400, "ValidationError");
        assertThat(assume(t, b -> b.policyArns(arns.subList(0, 10))).credentials()).isNotNull();
    }

    @Test
    void rejectsTokensLikeSts(IrsaEnvironment env) {
        assertStsError(() -> assume("not-a-jwt"), 400, "InvalidIdentityToken");
        assertStsError(() -> assume(env.token().unsigned()), 400, "InvalidIdentityToken");
        assertStsError(() -> assume(env.token().signWithUnknownKey()), 400, "InvalidIdentityToken");
        assertStsError(() -> assume(env.token().signWithTamperedSignature()), 400, "InvalidIdentityToken");
        assertStsError(() -> assume(env.token().expired().sign()), 400, "ExpiredTokenException");
        assertStsError(() -> assume(env.token().notYetValid().sign()), 403, "IDPRejectedClaim");
        assertStsError(() -> assume(env.token().subject(null).sign()), 403, "IDPRejectedClaim");
        assertStsError(() -> assume(env.token().audience("other-audience").sign()), 400, "InvalidIdentityToken");
        assertStsError(() -> assume("abc"), 400, "ValidationError");
    }

    @Test
    void wrongAudienceMessageMatchesSts(IrsaEnvironment env) {
        assertThatThrownBy(() -> assume(env.token().audience("api").sign())).isInstanceOfSatisfying(StsException.class,
                e -> assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Incorrect token audience"));
    }

    @Test
    void unregisteredIssuerIsRefused(IrsaEnvironment env) {
        try (OidcIssuer other = OidcIssuer.start()) {
            String t = other.token("default", "app").sign();
            assertThatThrownBy(() -> assume(t)).isInstanceOfSatisfying(StsException.class, e -> {
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
                assertThat(e.awsErrorDetails().errorMessage()).startsWith("No OpenIDConnect provider found in your account for");
            });
        }
    }

    @Test
    void trustPolicyConditionsAreEnforced(IrsaEnvironment env) {
        assertStsError(() -> assume(env.issuer().token("default", "other-sa").sign()), 403, "AccessDenied");
        assertStsError(() -> assume(env.issuer().token("kube-system", "app").sign()), 403, "AccessDenied");
        env.sts().registerOidcProvider(env.issuer().issuer(), "sts.amazonaws.com", "extra");
        assertStsError(() -> assume(env.token().audience("extra").sign()), 403, "AccessDenied");
    }

    @Test
    void keyRotationIsFollowedThroughTheJwks(IrsaEnvironment env) throws Exception {
        assume(token());
        int fetched = env.issuer().jwksRequests();
        assume(token());
        assertThat(env.issuer().jwksRequests()).as("JWKS is cached").isEqualTo(fetched);

        String oldKid = env.issuer().keyIds().get(0);
        env.issuer().rotateKey();
        Thread.sleep(1100); // the emulator refetches an unknown kid at most once a second
        assertThat(assume(env.token().sign()).credentials()).isNotNull();
        assertThat(env.issuer().jwksRequests()).isGreaterThan(fetched);

        env.issuer().retireKey(oldKid);
        assertThat(assume(env.token().sign()).credentials()).isNotNull();
    }

    @Test
    void getCallerIdentityRejectsBadSignatures(IrsaEnvironment env) throws Exception {
        Credentials c = assume(token()).credentials();
        String body = "Action=GetCallerIdentity&Version=2011-06-15";
        Instant now = Instant.now();

        assertThat(Sts.rawGetCallerIdentity(irsa.stsEndpoint(), irsa.region(), c, now, body, body, b -> b).statusCode())
                .isEqualTo(200);

        Credentials wrongSecret = c.toBuilder().secretAccessKey(Sts.tampered(c.secretAccessKey())).build();
        assertRaw(Sts.rawGetCallerIdentity(irsa.stsEndpoint(), irsa.region(), wrongSecret, now, body, body, b -> b),
                403, "SignatureDoesNotMatch");

        Credentials unknownKey = c.toBuilder().accessKeyId("ASIAUNKNOWNUNKNOWN12").build();
        assertRaw(Sts.rawGetCallerIdentity(irsa.stsEndpoint(), irsa.region(), unknownKey, now, body, body, b -> b),
                403, "InvalidClientTokenId");

        Credentials wrongToken = c.toBuilder().sessionToken(c.sessionToken() + "x").build();
        assertRaw(Sts.rawGetCallerIdentity(irsa.stsEndpoint(), irsa.region(), wrongToken, now, body, body, b -> b),
                403, "InvalidClientTokenId");

        assertRaw(Sts.rawGetCallerIdentity(irsa.stsEndpoint(), irsa.region(), c, now, body,
                body + "&Extra=1", b -> b), 403, "SignatureDoesNotMatch");

        assertRaw(Sts.rawGetCallerIdentity(irsa.stsEndpoint(), irsa.region(), c, now, body, body,
                b -> b.putHeader("Content-Type", "text/plain")), 403, "SignatureDoesNotMatch");

        assertRaw(Sts.rawGetCallerIdentity(irsa.stsEndpoint(), irsa.region(), c, now.minus(Duration.ofMinutes(20)), body,
                body, b -> b), 403, "SignatureDoesNotMatch");

        assertRaw(Sts.rawGetCallerIdentity(irsa.stsEndpoint(), "eu-west-1", c, now, body, body, b -> b),
                403, "SignatureDoesNotMatch");

        assertRaw(Sts.rawGetCallerIdentity(irsa.stsEndpoint(), irsa.region(), c, now, body, body,
                b -> b.removeHeader("Authorization")), 403, "MissingAuthenticationToken");
    }

    /**
     * Issue 10, item 13: botocore does not sign x-amz-content-sha256, and a verifier that re-signs with the Java
     * SDK's signer (which adds that header) refused every botocore request with SignatureDoesNotMatch.
     */
    @Test
    void getCallerIdentitySignedLikeBotocoreIsAccepted() throws Exception {
        Credentials c = assume(token()).credentials();
        String body = "Action=GetCallerIdentity&Version=2011-06-15";
        HttpResponse<String> ok = Sts.rawBotocoreStyle(irsa.stsEndpoint(), irsa.region(), c, Instant.now(),
                "application/x-www-form-urlencoded; charset=utf-8", body);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).contains(":assumed-role/");

        // Extra internal spaces in a signed header value: signed collapsed, sent as is.
        HttpResponse<String> spaced = Sts.rawBotocoreStyle(irsa.stsEndpoint(), irsa.region(), c, Instant.now(),
                "application/x-www-form-urlencoded;   charset=utf-8", body);
        assertThat(spaced.statusCode()).as(spaced.body()).isEqualTo(200);

        Credentials wrongSecret = c.toBuilder().secretAccessKey(Sts.tampered(c.secretAccessKey())).build();
        assertRaw(Sts.rawBotocoreStyle(irsa.stsEndpoint(), irsa.region(), wrongSecret, Instant.now(),
                "application/x-www-form-urlencoded; charset=utf-8", body), 403, "SignatureDoesNotMatch");
    }

    @Test
    void getCallerIdentityRejectsExpiredCredentials() throws Exception {
        ManualClock clock = ManualClock.now();
        try (IrsaEnvironment env = IrsaEnvironment.builder().clock(clock).start();
             StsClient anon = Sts.anonymous(env.stsEndpoint(), env.region())) {
            Credentials c = anon.assumeRoleWithWebIdentity(b -> b.roleArn(env.roleArn()).roleSessionName("exp")
                    .webIdentityToken(env.rotateToken()).durationSeconds(900)).credentials();
            try (StsClient signed = Sts.signedWith(env.stsEndpoint(), env.region(), c)) {
                assertThat(signed.getCallerIdentity().arn()).endsWith("/exp");
                clock.advance(Duration.ofSeconds(901));
                assertThatThrownBy(signed::getCallerIdentity).isInstanceOfSatisfying(StsException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ExpiredToken"));
            }
        }
    }

    @Test
    void injectedFaultsReachTheClientWithStsCodes(IrsaEnvironment env) throws Exception {
        String t = token();
        env.sts().faults().failNext(1, Fault.THROTTLING).failNext(1, Fault.INTERNAL_ERROR)
                .failNext(1, Fault.SERVICE_UNAVAILABLE).failNext(1, Fault.IDP_COMMUNICATION_ERROR)
                .failNext(1, Fault.INVALID_IDENTITY_TOKEN);
        assertStsError(() -> assume(t), 400, "Throttling");
        assertStsError(() -> assume(t), 500, "InternalFailure");
        assertStsError(() -> assume(t), 503, "ServiceUnavailable");
        assertStsError(() -> assume(t), 400, "IDPCommunicationError");
        assertStsError(() -> assume(t), 400, "InvalidIdentityToken");
        assertThat(assume(t).credentials()).isNotNull();

        env.sts().faults().failNext(1, Fault.CONNECTION_RESET);
        assertThatThrownBy(() -> assume(t)).isInstanceOf(SdkClientException.class);

        assertThat(env.sts().calls().countsByOutcome("AssumeRoleWithWebIdentity")).containsEntry("Throttling", 1L)
                .containsEntry("InternalFailure", 1L).containsEntry("ServiceUnavailable", 1L)
                .containsEntry("IDPCommunicationError", 1L).containsEntry("InvalidIdentityToken", 1L)
                .containsEntry("ConnectionReset", 1L).containsEntry("Success", 1L);
    }

    @Test
    void theCallLogSaysWhatItHoldsInAFailedAssertion(IrsaEnvironment env) throws Exception {
        String t = token();
        env.sts().faults().failNext(1, Fault.THROTTLING);
        assertStsError(() -> assume(t), 400, "Throttling");
        Credentials c = assume(t).credentials();
        String shown = env.sts().calls().toString();
        assertThat(shown).isEqualTo("CallLog[2 calls: AssumeRoleWithWebIdentity {Throttling=1, Success=1}]");
        assertThat(shown).doesNotContain(t, c.secretAccessKey(), c.sessionToken(), StsCall.fingerprint(t));
        assertThat(new StsEmulator.CallLog().toString()).isEqualTo("CallLog[no calls]");
    }

    @Test
    void outageLatencyAndActionFilter(IrsaEnvironment env) throws Exception {
        String t = token();
        env.sts().faults().failAlways(Fault.SERVICE_UNAVAILABLE).onlyFor("AssumeRoleWithWebIdentity");
        assertStsError(() -> assume(t), 503, "ServiceUnavailable");
        assertStsError(() -> assume(t), 503, "ServiceUnavailable");
        env.sts().faults().clear();
        env.sts().faults().latency(Duration.ofMillis(300));
        long start = System.nanoTime();
        assume(t);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(env.sts().calls().all()).last().satisfies(c -> assertThat(c.latency()).isGreaterThanOrEqualTo(Duration.ofMillis(300)));
    }

    @Test
    void shortCredentialLifetimesForRefreshTests(IrsaEnvironment env) throws Exception {
        env.sts().credentialLifetime(Duration.ofSeconds(20));
        Instant exp = assume(token()).credentials().expiration();
        assertThat(exp).isBefore(Instant.now().plusSeconds(21));
    }

    private static void assertRaw(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.body()).contains("<Code>" + code + "</Code>").contains("<RequestId>")
                .contains("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">");
        assertThat(r.headers().firstValue("x-amzn-RequestId")).isPresent();
    }
}
