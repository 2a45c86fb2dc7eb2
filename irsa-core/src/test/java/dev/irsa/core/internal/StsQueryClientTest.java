package dev.irsa.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.irsa.core.IrsaException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/** The Query-protocol client against canned answers on loopback: shapes the emulator does not produce. */
class StsQueryClientTest {
    private HttpServer server;
    private volatile int status = 200;
    private volatile String body = "";
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            paths.add(ex.getRequestURI().getRawPath());
            requests.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/xml");
            ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private StsQueryClient client(String path) {
        URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
        return new StsQueryClient(endpoint, new BoundedHttpClient(UrlConnectionHttpClient.builder()
                .socketTimeout(Duration.ofSeconds(5)).build(), AttemptTimeouts.DEFAULT));
    }

    private static final String SUCCESS = """
            <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleWithWebIdentityResult>
                <AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/app/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>
                <Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>
                  <SessionToken><![CDATA[token+/=]]></SessionToken><Expiration>2026-11-29T11:00:00.123Z</Expiration></Credentials>
              </AssumeRoleWithWebIdentityResult>
              <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
            </AssumeRoleWithWebIdentityResponse>""";

    @Test
    void aCustomEndpointKeepsItsPathAndTheFormIsEncoded() {
        body = SUCCESS;
        try (StsQueryClient c = client("/sts-gateway")) {
            StsQueryClient.Answer a = c.assumeRoleWithWebIdentity(Map.of("RoleSessionName", "a b+c~d",
                    "Policy", "{\"é\":1}"), "jwt-secret");
            assertThat(a).isInstanceOfSatisfying(StsQueryClient.Issued.class, i -> {
                assertThat(i.credentials().sessionToken()).isEqualTo("token+/=");
                assertThat(i.credentials().expiration().toString()).isEqualTo("2026-11-29T11:00:00.123Z");
                assertThat(i.credentials().assumedRoleArn()).endsWith("assumed-role/app/s");
            });
        }
        assertThat(paths).containsExactly("/sts-gateway");
        assertThat(requests.get(0)).contains("Action=AssumeRoleWithWebIdentity").contains("Version=2011-06-15")
                .contains("RoleSessionName=a+b%2Bc%7Ed").contains("Policy=%7B%22%C3%A9%22%3A1%7D");
    }

    @Test
    void anErrorDocumentIsStsEvenWithA200() {
        status = 200;
        body = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
                + "<RequestId>r-2</RequestId></ErrorResponse>";
        try (StsQueryClient c = client("")) {
            assertThat(c.assumeRoleWithWebIdentity(Map.of(), "jwt-secret")).isInstanceOfSatisfying(
                    StsQueryClient.StsError.class, e -> {
                        assertThat(e.code()).isEqualTo("Throttling");
                        assertThat(e.requestId()).isEqualTo("r-2");
                    });
        }
    }

    @Test
    void anEmpty200AndAnEntityAreRefusedClearly() {
        body = "";
        try (StsQueryClient c = client("")) {
            assertThatThrownBy(() -> c.assumeRoleWithWebIdentity(Map.of(), "jwt-secret"))
                    .isInstanceOf(IrsaException.class).hasMessageContaining("empty body");
            body = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
            assertThatThrownBy(() -> c.assumeRoleWithWebIdentity(Map.of(), "jwt-secret"))
                    .isInstanceOf(IrsaException.class).hasMessageContaining("could not be parsed")
                    .hasMessageNotContaining("root:");
        }
    }
}
