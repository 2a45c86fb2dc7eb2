package dev.irsa.micronaut;

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
 * Just enough of S3 ({@code ListBuckets}, REST XML) on a loopback port for an SDK client. Records the access key id
 * each request was signed with (from {@code Authorization}'s {@code Credential=AKID/...}), never the signature.
 * Signatures are not verified: the point is whose key signed.
 */
final class FakeS3 implements AutoCloseable {
    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/]+)/");
    private final HttpServer server;
    private final List<String> signingKeys = new CopyOnWriteArrayList<>();

    FakeS3() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The access key ids that signed the requests so far, in order. */
    List<String> signingKeys() {
        return List.copyOf(signingKeys);
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            x.getRequestBody().readAllBytes();
            String auth = x.getRequestHeaders().getFirst("Authorization");
            Matcher m = CREDENTIAL.matcher(auth == null ? "" : auth);
            signingKeys.add(m.find() ? m.group(1) : "(unsigned)");
            byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListAllMyBucketsResult"
                    + " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><ID>owner</ID></Owner><Buckets>"
                    + "<Bucket><Name>app-bucket</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>"
                    + "</Buckets></ListAllMyBucketsResult>").getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/xml");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
