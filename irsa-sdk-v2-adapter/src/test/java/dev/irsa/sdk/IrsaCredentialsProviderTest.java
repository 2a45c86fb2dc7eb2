package dev.irsa.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.irsa.core.ChainedRoleConfig;
import dev.irsa.core.SettingsSource;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsAsyncClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsWebIdentityTokenFileCredentialsProvider;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

class IrsaCredentialsProviderTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private static IrsaCredentialsProvider provider(IrsaEnvironment env) {
        return IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                .roleSessionName("adapter-test").shared(false).build();
    }

    private static StsClient sts(IrsaEnvironment env, AwsCredentialsProvider p) {
        return StsClient.builder().endpointOverride(env.stsEndpoint()).region(Region.of(env.region()))
                .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(p).build();
    }

    @Test
    void zeroConfigFromThePodEnvironmentSignsRealSdkCalls(IrsaEnvironment env) {
        try (IrsaCredentialsProvider p = provider(env); StsClient sts = sts(env, p)) {
            AwsCredentials c = p.resolveCredentials();
            assertThat(c).isInstanceOfSatisfying(AwsSessionCredentials.class, s -> {
                assertThat(s.expirationTime()).hasValueSatisfying(e -> assertThat(e).isAfter(Instant.now()));
                assertThat(s.providerName()).contains("IrsaCredentialsProvider");
                assertThat(s.accountId()).contains("111122223333");
            });
            assertThat(p.resolveCredentials()).as("cached: the very same object, nothing allocated").isSameAs(c);
            GetCallerIdentityResponse id = sts.getCallerIdentity();
            assertThat(id.arn()).isEqualTo("arn:aws:sts::111122223333:assumed-role/app-role/adapter-test");
            assertThat(p.toString()).contains("VALID").doesNotContain(c.secretAccessKey());
        }
    }

    @Test
    void differentialAgainstTheSdksOwnWebIdentityProvider(IrsaEnvironment env) {
        try (StsClient anonymous = StsClient.builder().endpointOverride(env.stsEndpoint()).region(Region.of(env.region()))
                .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(AnonymousCredentialsProvider.create()).build();
             StsWebIdentityTokenFileCredentialsProvider sdk = StsWebIdentityTokenFileCredentialsProvider.builder()
                     .stsClient(anonymous).roleArn(env.roleArn()).webIdentityTokenFile(env.tokenFile())
                     .roleSessionName("adapter-test").build();
             IrsaCredentialsProvider ours = provider(env);
             StsClient viaSdk = sts(env, sdk);
             StsClient viaOurs = sts(env, ours)) {
            GetCallerIdentityResponse a = viaSdk.getCallerIdentity();
            GetCallerIdentityResponse b = viaOurs.getCallerIdentity();
            assertThat(b.arn()).isEqualTo(a.arn());
            assertThat(b.account()).isEqualTo(a.account());
            AwsSessionCredentials sc = (AwsSessionCredentials) sdk.resolveCredentials();
            AwsSessionCredentials oc = (AwsSessionCredentials) ours.resolveCredentials();
            assertThat(oc.accessKeyId()).startsWith("ASIA").isNotEqualTo(sc.accessKeyId());
            assertThat(Duration.between(sc.expirationTime().orElseThrow(), oc.expirationTime().orElseThrow()).abs())
                    .isLessThan(Duration.ofMinutes(1));
        }
    }

    @Test
    void anS3RequestIsSignedWithOurCredentials(IrsaEnvironment env) throws Exception {
        AtomicReference<Map<String, String>> seen = new AtomicReference<>();
        HttpServer s3 = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s3.createContext("/", ex -> {
            seen.set(Map.of("authorization", String.valueOf(ex.getRequestHeaders().getFirst("Authorization")),
                    "token", String.valueOf(ex.getRequestHeaders().getFirst("X-Amz-Security-Token"))));
            byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                    + "<Owner><ID>o</ID></Owner><Buckets><Bucket><Name>demo</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket></Buckets>"
                    + "</ListAllMyBucketsResult>").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/xml");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s3.start();
        try (IrsaCredentialsProvider p = provider(env);
             S3Client client = S3Client.builder().region(Region.of(env.region())).forcePathStyle(true)
                     .endpointOverride(URI.create("http://127.0.0.1:" + s3.getAddress().getPort()))
                     .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(p).build()) {
            assertThat(client.listBuckets().buckets()).extracting(b -> b.name()).containsExactly("demo");
            AwsSessionCredentials c = (AwsSessionCredentials) p.resolveCredentials();
            assertThat(seen.get().get("authorization")).startsWith("AWS4-HMAC-SHA256 Credential=" + c.accessKeyId() + "/")
                    .contains("/" + env.region() + "/s3/aws4_request").contains("x-amz-security-token");
            assertThat(seen.get().get("token")).isEqualTo(c.sessionToken());
        } finally {
            s3.stop(0);
        }
    }

    @Test
    void asyncClientsWork(IrsaEnvironment env) {
        try (IrsaCredentialsProvider p = provider(env);
             StsAsyncClient sts = StsAsyncClient.builder().endpointOverride(env.stsEndpoint()).region(Region.of(env.region()))
                     .credentialsProvider(p).build()) {
            assertThat(sts.getCallerIdentity().join().arn()).endsWith("/adapter-test");
        }
    }

    @Test
    void resolveIdentityNeverBlocksTheCallingThread(IrsaEnvironment env) {
        // STS holds its answer 3 s: a call that blocked on it would return a completed future. (No wall-clock
        // bound on the call itself: on a loaded 2-core box that measures the machine, not us.)
        env.sts().faults().latency(Duration.ofSeconds(3));
        try (IrsaCredentialsProvider p = provider(env)) {
            CompletableFuture<? extends AwsCredentialsIdentity> cold = p.resolveIdentity(ResolveIdentityRequest.builder().build());
            assertThat(cold).as("cold call returned before STS answered").isNotDone();
            AwsCredentialsIdentity first = cold.join();
            assertThat(first.accessKeyId()).startsWith("ASIA");

            CompletableFuture<? extends AwsCredentialsIdentity> warm = p.resolveIdentity(ResolveIdentityRequest.builder().build());
            assertThat(warm).as("cached: completed before it is returned").isDone();
            assertThat(warm.join().accessKeyId()).isEqualTo(first.accessKeyId());
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
        }
    }

    @Test
    void withoutIrsaVariablesCreateDoesNotThrowAndTheChainMovesOn() {
        IrsaCredentialsProvider p = IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(Map.of())).build();
        assertThatThrownBy(p::resolveCredentials).isInstanceOf(SdkClientException.class)
                .hasMessageContaining("AWS_ROLE_ARN").hasMessageContaining("IRSA is not configured");
        assertThat(p.unavailableReason()).isPresent();
        assertThat(p.resolveIdentity(ResolveIdentityRequest.builder().build())).isCompletedExceptionally();
        AwsCredentialsProvider chain = AwsCredentialsProviderChain.of(p,
                StaticCredentialsProvider.create(AwsSessionCredentials.create("AKIDLOCAL", "local-secret", "local-token")));
        assertThat(chain.resolveCredentials().accessKeyId()).isEqualTo("AKIDLOCAL");
        p.close();

        IrsaCredentialsProvider noToken = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(Map.of("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/x"))).build();
        assertThatThrownBy(noToken::resolveCredentials).hasMessageContaining("AWS_WEB_IDENTITY_TOKEN_FILE");
    }

    @Test
    void eagerStartFailsAtBuild(IrsaEnvironment env) {
        assertThatThrownBy(() -> IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                .roleArn("arn:aws:iam::111122223333:role/typo").eagerStart(true).shared(false).build())
                .isInstanceOf(SdkClientException.class).hasMessageContaining("AccessDenied");
        assertThatThrownBy(() -> IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(Map.of()))
                .eagerStart(true).build()).isInstanceOf(SdkClientException.class).hasMessageContaining("AWS_ROLE_ARN");
    }

    @Test
    void providersWithTheSameConfigurationShareOneSession(IrsaEnvironment env) {
        IrsaCredentialsProvider.Builder b = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("shared-test");
        try (IrsaCredentialsProvider a = b.build(); IrsaCredentialsProvider c = a.toBuilder().build()) {
            assertThat(a.resolveCredentials().accessKeyId()).isEqualTo(c.resolveCredentials().accessKeyId());
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
        }
    }

    @Test
    void roleChainingIntoAnotherAccount(IrsaEnvironment env) {
        String target = env.sts().createRole("444455556666", "cross-account-reader", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                 "Principal":{"AWS":"%s"},"Action":"sts:AssumeRole",
                 "Condition":{"StringEquals":{"sts:ExternalId":"tenant-42"}}}]}""".formatted(env.roleArn()), Duration.ofHours(1));
        try (IrsaCredentialsProvider base = provider(env);
             IrsaCredentialsProvider chained = base.assumeRole(ChainedRoleConfig.builder(target).externalId("tenant-42")
                     .roleSessionName("chained").build());
             StsClient sts = sts(env, chained)) {
            assertThat(sts.getCallerIdentity().arn()).isEqualTo("arn:aws:sts::444455556666:assumed-role/cross-account-reader/chained");
            assertThat(((AwsSessionCredentials) chained.resolveCredentials()).accountId()).contains("444455556666");
            assertThat(env.sts().calls().count("AssumeRole", "Success")).isEqualTo(1);
        }
        try (IrsaCredentialsProvider base = provider(env);
             IrsaCredentialsProvider wrongId = base.assumeRole(ChainedRoleConfig.builder(target).externalId("tenant-43").build())) {
            assertThatThrownBy(wrongId::resolveCredentials).isInstanceOf(SdkClientException.class)
                    .hasMessageContaining("AccessDenied").hasMessageContaining("sts:ExternalId");
        }
        assertThatThrownBy(() -> ChainedRoleConfig.builder(target).sessionDuration(Duration.ofHours(2)).build())
                .hasMessageContaining("one hour");
    }
}
