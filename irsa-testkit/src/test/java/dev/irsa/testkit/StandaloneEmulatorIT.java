package dev.irsa.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import software.amazon.awssdk.services.sts.model.Credentials;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sts.StsClient;

/** Starts the standalone jar as a separate process and uses it through its one JSON line. */
class StandaloneEmulatorIT {
    private static Path jar() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            return s.filter(p -> p.getFileName().toString().endsWith("-standalone.jar")).findFirst().orElseThrow();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void podIdentityModeAlsoCarriesTheContainerVariablesAndServesTheAgent() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-jar", jar().toString(), "--pod-identity", "--namespace", "shop",
                "--service-account", "cart")
                .redirectError(ProcessBuilder.Redirect.appendTo(new File("target/standalone-it.log")))
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            Map<String, Object> json = JSONObjectUtils.parse(out.readLine());
            assertThat(json).containsKeys("issuer", "stsEndpoint", "tokenFile", "roleArn", "region", "env",
                    "agentEndpoint", "podIdentityTokenFile", "podIdentityEnv");
            Map<String, Object> irsaEnv = (Map<String, Object>) json.get("env");
            assertThat(irsaEnv).as("env stays the IRSA pod's").containsKeys("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE")
                    .doesNotContainKey("AWS_CONTAINER_CREDENTIALS_FULL_URI");
            Map<String, Object> podEnv = (Map<String, Object>) json.get("podIdentityEnv");
            assertThat(podEnv).containsEntry("AWS_CONTAINER_CREDENTIALS_FULL_URI", json.get("agentEndpoint"))
                    .containsEntry("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", json.get("podIdentityTokenFile"))
                    .containsEntry("AWS_REGION", json.get("region")).containsEntry("AWS_ENDPOINT_URL_STS", json.get("stsEndpoint"))
                    .doesNotContainKeys("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE");
            assertThat((String) json.get("agentEndpoint")).startsWith("http://127.0.0.1:").endsWith("/v1/credentials");

            // What an SDK's container-credentials provider does: GET the URI with the raw token as Authorization.
            String token = Files.readString(Path.of((String) json.get("podIdentityTokenFile")));
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create((String) json.get("agentEndpoint")))
                            .header("Authorization", token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            Map<String, Object> c = JSONObjectUtils.parse(r.body());
            assertThat(c).containsKeys("AccessKeyId", "SecretAccessKey", "Token", "AccountId", "Expiration");
            Credentials creds = Credentials.builder().accessKeyId((String) c.get("AccessKeyId"))
                    .secretAccessKey((String) c.get("SecretAccessKey")).sessionToken((String) c.get("Token")).build();
            try (StsClient signed = Sts.signedWith(URI.create((String) json.get("stsEndpoint")), (String) json.get("region"), creds)) {
                assertThat(signed.getCallerIdentity().arn()).contains(":assumed-role/app-role/eks-test-cluster-");
            }
            // The IRSA token is not the Pod Identity token: the agent refuses it (400), as EKS's does.
            String irsaToken = Files.readString(Path.of((String) json.get("tokenFile")));
            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create((String) json.get("agentEndpoint"))).header("Authorization", irsaToken).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
            p.getOutputStream().close();
            assertThat(p.isAlive()).as("serves until killed").isTrue();
            assertThat(out.ready()).as("nothing else on stdout").isFalse();
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void printsOneJsonLineAndServes() throws Exception {
        Path jar = jar();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-jar", jar.toString(), "--namespace", "shop", "--service-account", "cart")
                .redirectError(ProcessBuilder.Redirect.appendTo(new File("target/standalone-it.log")))
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            Map<String, Object> json = JSONObjectUtils.parse(line);
            assertThat(json).containsKeys("issuer", "stsEndpoint", "tokenFile", "roleArn", "region");
            assertThat(json.get("serviceAccount")).isEqualTo("system:serviceaccount:shop:cart");
            String token = Files.readString(Path.of((String) json.get("tokenFile")));
            try (StsClient sts = Sts.anonymous(URI.create((String) json.get("stsEndpoint")), (String) json.get("region"))) {
                var creds = sts.assumeRoleWithWebIdentity(b -> b.roleArn((String) json.get("roleArn"))
                        .roleSessionName("it").webIdentityToken(token)).credentials();
                try (StsClient signed = Sts.signedWith(URI.create((String) json.get("stsEndpoint")), (String) json.get("region"), creds)) {
                    assertThat(signed.getCallerIdentity().arn()).endsWith(":assumed-role/app-role/it");
                }
            }
            p.getOutputStream().close();
            assertThat(p.isAlive()).as("serves until killed").isTrue();
            assertThat(out.ready()).as("nothing else on stdout").isFalse();
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
