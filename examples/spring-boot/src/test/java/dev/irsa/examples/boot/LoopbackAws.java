package dev.irsa.examples.boot;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of Parameter Store ({@code GetParametersByPath}) and S3 ({@code ListBuckets}) on a loopback port for a
 * Spring Cloud AWS config import and an S3 client. Records which access key signed each request (from
 * {@code Authorization}'s {@code Credential=AKID/...}), never the signature; signatures are not checked, the point is
 * whose key signed. Copy it into your tests, or use a fuller local AWS if you have one.
 */
final class LoopbackAws implements AutoCloseable {
    /** One signed request: the service ({@code ssm} or {@code s3}) and the access key that signed it. */
    record Signed(String service, String accessKeyId) {}

    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/]+)/");
    private static final Pattern PATH = Pattern.compile("\"Path\"\\s*:\\s*\"([^\"]+)\"");
    private final HttpServer server;
    private final Map<String, String> parameters;
    private final List<Signed> requests = new CopyOnWriteArrayList<>();

    private LoopbackAws(Map<String, String> parameters) throws IOException {
        this.parameters = Map.copyOf(parameters);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves {@code parameters} (full name to value, e.g. {@code /config/app/greeting}) from Parameter Store. */
    static LoopbackAws start(Map<String, String> parameters) {
        try {
            return new LoopbackAws(parameters);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The access keys that signed requests to {@code service} ({@code ssm}, {@code s3}), in order. */
    List<String> keysFor(String service) {
        return requests.stream().filter(r -> r.service().equals(service)).map(Signed::accessKeyId).toList();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String target = x.getRequestHeaders().getFirst("X-Amz-Target");
            Matcher m = CREDENTIAL.matcher(String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
            String akid = m.find() ? m.group(1) : "(unsigned)";
            if ("AmazonSSM.GetParametersByPath".equals(target)) {
                requests.add(new Signed("ssm", akid));
                Matcher p = PATH.matcher(body);
                String path = p.find() ? p.group(1) : "";
                StringBuilder json = new StringBuilder("{\"Parameters\":[");
                parameters.forEach((name, value) -> {
                    if (name.startsWith(path)) {
                        json.append(json.charAt(json.length() - 1) == '[' ? "" : ",").append("{\"Name\":\"").append(name)
                                .append("\",\"Value\":\"").append(value).append("\",\"Type\":\"String\",\"Version\":1}");
                    }
                });
                send(x, "application/x-amz-json-1.1", json.append("]}").toString());
            } else if (target == null && x.getRequestURI().getPath().equals("/")) {
                requests.add(new Signed("s3", akid));
                send(x, "application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListAllMyBucketsResult"
                        + " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><ID>owner</ID></Owner><Buckets>"
                        + "<Bucket><Name>irsa-example-bucket</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate>"
                        + "</Bucket></Buckets></ListAllMyBucketsResult>");
            } else {
                requests.add(new Signed("unknown:" + target + " " + x.getRequestURI(), akid));
                byte[] b = "{\"__type\":\"UnknownOperationException\"}".getBytes(StandardCharsets.UTF_8);
                x.sendResponseHeaders(400, b.length);
                x.getResponseBody().write(b);
            }
        }
    }

    private static void send(HttpExchange x, String contentType, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", contentType);
        x.sendResponseHeaders(200, b.length);
        x.getResponseBody().write(b);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
