package dev.irsa.examples.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.quarkus.InjectEmulator;
import dev.irsa.testkit.s3.S3Emulator;
import dev.irsa.testkit.s3.S3Request;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The {@code S3Client} Quarkiverse's {@code quarkus-amazon-s3} builds (not the application, not this library) signs
 * with the IRSA session's key, and the application holds one session: the S3 client and the application's own STS
 * client share it.
 */
@QuarkusTest
@WithTestResource(IrsaWithS3Resource.class)
class ObjectResourceTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @InjectEmulator
    IrsaEnvironment irsa;

    @InjectEmulator
    S3Emulator s3;

    @TestHTTPResource("/")
    URI app;

    @Test
    void quarkiversesS3ClientSignsWithTheSessionsKey() throws Exception {
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(app.resolve("objects/greeting"))
                .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString("hello from the pod"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(204);
        HttpResponse<String> got = get("objects/greeting");
        assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
        assertThat(got.body()).isEqualTo("hello from the pod");

        // the S3 emulator verified both signatures with the secret STS issued (and the PUT's signed aws-chunked body)
        assertThat(s3.requests()).extracting(S3Request::operation).containsExactly("PutObject", "GetObject");
        assertThat(s3.requests()).allMatch(S3Request::accepted);
        assertThat(s3.object("app-bucket", "greeting")).hasValue("hello from the pod".getBytes(StandardCharsets.UTF_8));
        assertThat(s3.accessKeyIds()).hasSize(2).containsOnly(s3.accessKeyIds().get(0));
        String key = s3.accessKeyIds().get(0);
        // a key the emulator issued to the service account's role...
        assertThat(irsa.sts().assumedRoleArnOf(key))
                .hasValueSatisfying(arn -> assertThat(arn).startsWith(
                        "arn:aws:sts::111122223333:assumed-role/app-role/"));
        // ...in the one session of the application: its own STS client (GET /identity) is served by the same one
        assertThat(get("identity").body()).isEqualTo(irsa.sts().assumedRoleArnOf(key).orElseThrow());
        assertThat(irsa.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
        assertThat(irsa.sts().issuedSessions()).isEqualTo(1);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(app.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
