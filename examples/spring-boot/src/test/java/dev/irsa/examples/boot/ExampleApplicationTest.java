package dev.irsa.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.IrsaEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example app started for real (embedded server on a random loopback port) against the emulator, as it ships:
 * without a data source or Parameter Store. JDBC and Spring Cloud AWS are on the test class path for
 * {@link OneIdentityAcrossIntegrationsTest}, so Spring Boot's DataSource auto-configuration (each line's name; the
 * other line's is ignored, being absent) and Spring Cloud AWS's Parameter Store client (which would look for a region
 * as far as instance metadata) are left out here.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {"server.address=127.0.0.1",
        "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
                + "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
        "spring.cloud.aws.parameterstore.enabled=false"})
class ExampleApplicationTest {
    static final IrsaEnvironment ENV = IrsaEnvironment.start();

    @DynamicPropertySource
    static void pod(DynamicPropertyRegistry registry) {
        ENV.podEnvironment().forEach((k, v) -> registry.add(k, () -> v));
    }

    @AfterAll
    static void stop() {
        ENV.close();
    }

    @LocalServerPort
    int port;

    private String get(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    @Test
    void healthIsUpBeforeAnyRequestUsedAws() throws Exception {
        // The starter's warm-up fetched credentials at startup: no /whoami first. (Bounded wait: it runs off the
        // startup path, so it may still be in flight, reported UNKNOWN, when the server is already up.)
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        String health = get("/actuator/health/irsa");
        while (!health.contains("\"status\":\"UP\"") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            health = get("/actuator/health/irsa");
        }
        assertThat(health).contains("\"status\":\"UP\"").contains("timeToExpiry");
    }

    @Test
    void servesWithIrsaAndReportsHealthAndMetricsOverHttp() throws Exception {
        assertThat(get("/whoami")).contains("arn:aws:sts::111122223333:assumed-role/app-role/");
        String health = get("/actuator/health");
        // Boot 4 writes details before status, Boot 3.5 status first.
        assertThat(health).containsPattern("\"irsa\":\\{(\"details\":\\{[^}]*\\},)?\"status\":\"UP\"")
                .contains("\"roleArn\":\"" + ENV.roleArn() + "\"").contains("timeToExpiry");
        assertThat(get("/actuator/metrics")).contains("irsa.credentials.refresh").contains("irsa.credentials.expiry");
        assertThat(get("/actuator/metrics/irsa.credentials.refresh?tag=outcome:success")).contains("\"COUNT\"");
        assertThat(get("/actuator/metrics/irsa.credentials.expiry")).contains("\"VALUE\"");
    }
}
