package dev.irsa.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sts.StsClient;

/** Starts the standalone jar as a separate process and uses it through its one JSON line. */
class StandaloneEmulatorIT {
    @Test
    void printsOneJsonLineAndServes() throws Exception {
        Path jar;
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            jar = s.filter(p -> p.getFileName().toString().endsWith("-standalone.jar")).findFirst().orElseThrow();
        }
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
