package dev.irsa.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP server whose answer gets stuck after its status line: a body that stops after its first bytes, or a
 * chunked body whose trailer lines arrive one at a time, until closed. Neither ends a JDK HttpURLConnection read: no
 * read timeout fires while trailer lines come, and an abort's close waits for the lock the blocked reader holds.
 * Answers every request so, then holds the connection until closed.
 */
final class StuckServer implements AutoCloseable {
    /** How the answer misbehaves after its status line and headers. */
    enum Shape {
        STALLED_BODY("Content-Length: 100\r\n\r\n{\"AccessKey"),
        TRAILERS_DRIPPED("Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n");

        final String afterStatus;

        Shape(String afterStatus) {
            this.afterStatus = afterStatus;
        }
    }

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
