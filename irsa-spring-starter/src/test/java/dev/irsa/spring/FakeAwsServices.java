package dev.irsa.spring;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of SSM ({@code GetParametersByPath}, JSON 1.1) and Secrets Manager ({@code GetSecretValue}, JSON 1.1) on
 * a loopback port for Spring Cloud AWS's config imports. Records, per request, the service and the access key id the
 * request was signed with (from {@code Authorization}'s {@code Credential=AKID/...}); never the signature. Signatures
 * are not verified: the point is whose key signed (the test kit has no SSM or Secrets Manager emulator; S3 is the
 * test kit's {@code S3Emulator}, which verifies).
 */
final class FakeAwsServices implements AutoCloseable {
    /** One signed request: which service, which access key signed it. */
    record Signed(String service, String accessKeyId) {}

    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/]+)/");
    private final HttpServer server;
    private final List<Signed> requests = new CopyOnWriteArrayList<>();

    FakeAwsServices() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    List<Signed> requests() {
        return List.copyOf(requests);
    }

    /** The access keys that signed requests to {@code service} ("ssm", "secretsmanager"). */
    List<String> keysFor(String service) {
        return requests.stream().filter(r -> r.service().equals(service)).map(Signed::accessKeyId).toList();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            x.getRequestBody().readAllBytes();
            String target = x.getRequestHeaders().getFirst("X-Amz-Target");
            String auth = x.getRequestHeaders().getFirst("Authorization");
            Matcher m = CREDENTIAL.matcher(auth == null ? "" : auth);
            String akid = m.find() ? m.group(1) : "(unsigned)";
            if ("AmazonSSM.GetParametersByPath".equals(target)) {
                requests.add(new Signed("ssm", akid));
                json(x, "{\"Parameters\":[{\"Name\":\"/app/greeting\",\"Value\":\"hello-from-ssm\",\"Type\":\"String\","
                        + "\"Version\":1,\"ARN\":\"arn:aws:ssm:us-west-2:111122223333:parameter/app/greeting\"}]}");
            } else if ("secretsmanager.GetSecretValue".equals(target)) {
                requests.add(new Signed("secretsmanager", akid));
                json(x, "{\"ARN\":\"arn:aws:secretsmanager:us-west-2:111122223333:secret:app-secret-AbCdEf\","
                        + "\"Name\":\"app-secret\",\"VersionId\":\"v1\",\"SecretString\":\"{\\\"db.password\\\":\\\"from-secrets-manager\\\"}\","
                        + "\"CreatedDate\":1700000000}");
            } else {
                requests.add(new Signed("unknown:" + target, akid));
                byte[] body = ("{\"__type\":\"UnknownOperationException\",\"message\":\"" + target + "\"}").getBytes(StandardCharsets.UTF_8);
                x.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
                x.sendResponseHeaders(400, body.length);
                x.getResponseBody().write(body);
            }
        }
    }

    private static void json(HttpExchange x, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
        x.sendResponseHeaders(200, body.length);
        x.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
