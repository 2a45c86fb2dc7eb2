package dev.irsa.testkit.internal;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Creates JDK HTTP servers bound to the loopback interface only, served by named daemon threads. */
public final class LoopbackHttpServer {
    private LoopbackHttpServer() {}

    /** A started-later server and the executor that must be shut down with it. */
    public record Bound(HttpServer server, ExecutorService executor) {
        public int port() {
            return server.getAddress().getPort();
        }

        public void start() {
            server.start();
        }

        public void stop() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    public static Bound bind(int port, String threadPrefix) {
        return bind(InetAddress.getLoopbackAddress(), port, threadPrefix);
    }

    /** On this loopback address (127.0.0.1 or ::1); any other address is refused. */
    public static Bound bind(InetAddress loopback, int port, String threadPrefix) {
        if (!loopback.isLoopbackAddress()) {
            throw new IllegalArgumentException("The test kit binds loopback addresses only, not " + loopback);
        }
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(loopback, port), 64);
            AtomicInteger n = new AtomicInteger();
            ExecutorService executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, threadPrefix + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            return new Bound(server, executor);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not bind a loopback HTTP server on port " + port, e);
        }
    }
}
