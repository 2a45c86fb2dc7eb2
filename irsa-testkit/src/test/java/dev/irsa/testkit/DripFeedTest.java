package dev.irsa.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The drip feed: headers at once, then the body a byte at a time, each read returning well within a short per-read
 * timeout, so that the whole answer takes far longer than that timeout without ever tripping it. Real loopback HTTP
 * and real time, kept short.
 */
class DripFeedTest {
    private static final int READ_TIMEOUT_MS = 250;

    @Test
    void stsAnswersByteByByteWithoutTrippingAPerReadTimeout() throws Exception {
        try (StsEmulator sts = StsEmulator.start()) {
            HttpURLConnection warm = post(sts.endpoint(), "Action=NoSuchAction&Version=2011-06-15", 5000);
            assertThat(warm.getResponseCode()).isEqualTo(400); // class loading is not what is measured
            sts.faults().dripFeed(Duration.ofMillis(20));
            HttpURLConnection c = post(sts.endpoint(), "Action=NoSuchAction&Version=2011-06-15", READ_TIMEOUT_MS);
            Read r = read(c, 40);
            assertThat(r.status).isEqualTo(400);
            assertThat(r.headersMillis).as("headers at once").isLessThan(READ_TIMEOUT_MS);
            assertThat(r.bodyMillis).as("40 bytes at 20 ms each, no read timeout").isGreaterThanOrEqualTo(40 * 20 / 2);
            assertThat(new String(r.body, StandardCharsets.UTF_8)).startsWith("<");
            c.disconnect(); // the emulator stops dripping to a client that hung up

            sts.faults().clear();
            long t0 = System.nanoTime();
            HttpURLConnection again = post(sts.endpoint(), "Action=NoSuchAction&Version=2011-06-15", READ_TIMEOUT_MS);
            assertThat(again.getResponseCode()).isEqualTo(400);
            again.getErrorStream().readAllBytes();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("clear() ends the drip").isLessThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void podIdentityAgentAnswersByteByByteWithoutTrippingAPerReadTimeout() throws Exception {
        try (OidcIssuer issuer = OidcIssuer.start(); StsEmulator sts = StsEmulator.start();
             PodIdentityAgentEmulator agent = PodIdentityAgentEmulator.builder().issuer(issuer).sts(sts).start()) {
            agent.faults().dripFeed(Duration.ofMillis(20));
            HttpURLConnection c = (HttpURLConnection) agent.endpoint().toURL().openConnection(Proxy.NO_PROXY);
            c.setRequestProperty("Authorization", "not-a-jwt");
            c.setReadTimeout(READ_TIMEOUT_MS);
            Read r = read(c, 30);
            assertThat(r.status).isEqualTo(400);
            assertThat(r.headersMillis).isLessThan(READ_TIMEOUT_MS);
            assertThat(r.bodyMillis).isGreaterThanOrEqualTo(30 * 20 / 2);
            assertThat(new String(r.body, StandardCharsets.UTF_8)).startsWith("[");
            c.disconnect();
        }
    }

    @Test
    void aNegativeIntervalIsRefused() {
        assertThatThrownBy(() -> new StsEmulator.Faults().dripFeed(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PodIdentityAgentEmulator.Faults().dripFeed(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private record Read(int status, long headersMillis, long bodyMillis, byte[] body) {
    }

    private static HttpURLConnection post(URI endpoint, String form, int readTimeoutMillis) throws Exception {
        HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/").toURL().openConnection(Proxy.NO_PROXY);
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setReadTimeout(readTimeoutMillis);
        c.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
        c.setFixedLengthStreamingMode(form.length());
        c.getOutputStream().write(form.getBytes(StandardCharsets.UTF_8));
        return c;
    }

    /** The status, then {@code n} body bytes read one read at a time; a read timeout would throw. */
    private static Read read(HttpURLConnection c, int n) throws Exception {
        long t0 = System.nanoTime();
        int status = c.getResponseCode();
        long t1 = System.nanoTime();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64];
        while (out.size() < n) {
            int k = in.read(buf, 0, Math.min(buf.length, n - out.size()));
            if (k < 0) {
                break;
            }
            out.write(buf, 0, k);
        }
        long t2 = System.nanoTime();
        return new Read(status, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, out.toByteArray());
    }
}
