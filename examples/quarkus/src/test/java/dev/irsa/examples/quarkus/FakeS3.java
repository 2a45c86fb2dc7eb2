package dev.irsa.examples.quarkus;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of S3 for {@code PutObject} and {@code GetObject} (path-style) on a loopback port. Records the access
 * key id each request was signed with (from {@code Authorization}'s {@code Credential=AKID/...}), never the
 * signature; signatures are not verified: the point is whose key signed.
 */
final class FakeS3 implements AutoCloseable {
    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/]+)/");
    private final HttpServer server;
    private final List<String> signingKeys = new CopyOnWriteArrayList<>();
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();

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
            byte[] body = x.getRequestBody().readAllBytes();
            String auth = x.getRequestHeaders().getFirst("Authorization");
            Matcher m = CREDENTIAL.matcher(auth == null ? "" : auth);
            signingKeys.add(m.find() ? m.group(1) : "(unsigned)");
            String path = x.getRequestURI().getPath(); // /bucket/key
            switch (x.getRequestMethod()) {
                case "PUT" -> {
                    byte[] content = x.getRequestHeaders().containsKey("x-amz-decoded-content-length")
                            ? unchunk(body) : body;
                    objects.put(path, content);
                    x.getResponseHeaders().add("ETag", '"' + md5(content) + '"');
                    x.sendResponseHeaders(200, -1);
                }
                case "GET" -> {
                    byte[] content = objects.get(path);
                    if (content == null) {
                        byte[] error = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code>"
                                + "<Message>The specified key does not exist.</Message></Error>")
                                .getBytes(StandardCharsets.UTF_8);
                        x.getResponseHeaders().add("Content-Type", "application/xml");
                        x.sendResponseHeaders(404, error.length);
                        x.getResponseBody().write(error);
                        return;
                    }
                    x.getResponseHeaders().add("ETag", '"' + md5(content) + '"');
                    x.getResponseHeaders().add("Content-Type", "text/plain");
                    x.sendResponseHeaders(200, content.length);
                    x.getResponseBody().write(content);
                }
                default -> x.sendResponseHeaders(405, -1);
            }
        }
    }

    /**
     * The payload of an {@code aws-chunked} body ({@code <hex size>[;chunk-signature=...]\r\n<data>\r\n} ... a
     * zero-size chunk, then trailers such as the checksum), which the SDK sends when it adds a trailing checksum.
     */
    private static byte[] unchunk(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (true) {
            int eol = indexOfCrlf(body, i);
            String header = new String(body, i, eol - i, StandardCharsets.US_ASCII);
            int size = Integer.parseInt(header.split(";", 2)[0].trim(), 16);
            if (size == 0) {
                return out.toByteArray();
            }
            out.write(body, eol + 2, size);
            i = eol + 2 + size + 2;
        }
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        throw new IllegalArgumentException("not an aws-chunked body");
    }

    private static String md5(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
