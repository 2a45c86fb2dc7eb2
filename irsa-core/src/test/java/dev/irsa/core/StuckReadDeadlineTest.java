package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.irsa.core.internal.ContainerCredentialsExchange;
import dev.irsa.core.internal.CredentialExchange;
import dev.irsa.core.internal.StsWebIdentityExchange;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attempt deadline is a hard bound for the caller, whatever the read is blocked in. Two answers no abort of a
 * JDK HttpURLConnection gets through (its close waits for the stream's lock, which the blocked reader holds): a body
 * that stops after its first bytes (only the read timeout, here 30 s, would end it), and a chunked body whose
 * trailer lines arrive one at a time (one read that never returns). Both failed at 30 s before the attempt ran on a
 * worker the caller stops waiting for. Real loopback HTTP and real time (a socket behaviour), on a 300 ms deadline.
 */
class StuckReadDeadlineTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private static final Duration DEADLINE = Duration.ofMillis(300);
    private static final Duration READ = Duration.ofSeconds(30);
    /** Far below the 30 s these took before; far above the deadline and its grace on a loaded machine. */
    private static final Duration BOUND = Duration.ofSeconds(5);

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** How the answer misbehaves after its status line and headers. */
    enum Shape {
        STALLED_BODY("Content-Length: 100\r\n\r\n{\"AccessKey"),
        TRAILERS_DRIPPED("Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n");

        final String afterStatus;

        Shape(String afterStatus) {
            this.afterStatus = afterStatus;
        }
    }

    /** Answers every request with the shape, then holds the connection (dripping trailer lines) until closed. */
    static final class StuckServer implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final Thread acceptor;
        private volatile boolean closed;

        StuckServer(Shape shape, String contentType) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!closed) {
                    try {
                        Socket s = server.accept();
                        accepted.add(s);
                        Thread t = new Thread(() -> serve(s, shape, contentType), "stuck-server-conn");
                        t.setDaemon(true);
                        t.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "stuck-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void serve(Socket s, Shape shape, String contentType) {
            try (s) {
                InputStream in = s.getInputStream();
                // the request's head (a body, if any, is small and left unread)
                int matched = 0;
                while (matched < 4) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
                }
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\n" + shape.afterStatus)
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                while (!closed) {
                    Thread.sleep(50);
                    if (shape == Shape.TRAILERS_DRIPPED) {
                        out.write("X-Drip: 1\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the client hung up, or the test is over
            }
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
        }

        @Override
        public void close() throws IOException {
            closed = true;
            server.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    private static IrsaException cut(CredentialExchange x) {
        return assertTimeoutPreemptively(BOUND, () -> {
            try {
                x.exchange(1);
            } catch (IrsaException e) {
                return e;
            }
            throw new AssertionError("expected the attempt to be cut at its deadline");
        }, "the attempt outlived its deadline");
    }

    private <T extends AutoCloseable> T opened(T c) {
        open.add(c);
        return c;
    }

    @Test
    void aStalledOrTrailerDrippedStsAnswerIsCutAtTheDeadline(IrsaEnvironment env) throws Exception {
        for (Shape shape : Shape.values()) {
            StuckServer server = opened(new StuckServer(shape, "text/xml"));
            StsWebIdentityExchange x = opened(new StsWebIdentityExchange(IrsaConfig.builder().roleArn(env.roleArn())
                    .tokenFile(env.tokenFile()).region(env.region()).stsEndpoint(server.uri("/"))
                    .roleSessionName("stuck").timeouts(Duration.ofSeconds(1), READ).attemptTimeout(DEADLINE)
                    .build()));
            long t0 = System.nanoTime();
            IrsaException e = cut(x);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(took).as(shape.name()).isGreaterThanOrEqualTo(DEADLINE.minusMillis(50));
            assertThat(e.kind()).as(shape.name()).isEqualTo(IrsaException.Kind.RETRYABLE);
            assertThat(e.getMessage()).as(shape.name()).contains("300 ms").contains("attempt deadline")
                    .doesNotContain(Files.readString(env.tokenFile()));
        }
    }

    @Test
    void aStalledOrTrailerDrippedPodIdentityAnswerIsCutAtTheDeadline(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
        for (Shape shape : Shape.values()) {
            StuckServer server = opened(new StuckServer(shape, "application/json"));
            ContainerCredentialsExchange x = opened(new ContainerCredentialsExchange(PodIdentityConfig.builder()
                    .settings(SettingsSource.ofEnvironment(Map.of())).endpoint(server.uri("/v1/credentials"))
                    .tokenFile(token).timeouts(Duration.ofSeconds(1), READ).attemptTimeout(DEADLINE).build()));
            long t0 = System.nanoTime();
            IrsaException e = cut(x);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(took).as(shape.name()).isGreaterThanOrEqualTo(DEADLINE.minusMillis(50));
            assertThat(e.kind()).as(shape.name()).isEqualTo(IrsaException.Kind.RETRYABLE);
            assertThat(e.getMessage()).as(shape.name()).contains("300 ms").contains("attempt deadline")
                    .contains("the response began").doesNotContain("eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
        }
    }
}
