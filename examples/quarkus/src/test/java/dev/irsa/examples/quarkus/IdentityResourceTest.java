package dev.irsa.examples.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.quarkus.InjectEmulator;
import dev.irsa.testkit.quarkus.IrsaEmulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The whole service over HTTP against the test kit's IRSA emulator, which {@link IrsaEmulatorResource} starts for
 * the test and hands to the application as the pod's variables.
 */
// tag::quarkus-test[]
@QuarkusTest
@WithTestResource(IrsaEmulatorResource.class)
class IdentityResourceTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @InjectEmulator
    IrsaEnvironment irsa;

    @TestHTTPResource("/")
    URI app;

    @Test
    void callsStsAsTheServiceAccountsRole() throws Exception {
        HttpResponse<String> identity = get("identity");
        assertThat(identity.statusCode()).isEqualTo(200);
        assertThat(identity.body()).startsWith("arn:aws:sts::111122223333:assumed-role/app-role/");
        // one session: the warm-up's AssumeRoleWithWebIdentity served the request too
        assertThat(irsa.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
        assertThat(irsa.sts().calls().count("GetCallerIdentity")).isEqualTo(1);
    }

    @Test
    void readyWithCredentials() throws Exception {
        HttpResponse<String> ready = get("q/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"name\": \"irsa\"").contains("\"status\": \"UP\"");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(app.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
// end::quarkus-test[]
