package dev.irsa.rds;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;

/**
 * The least of an LDAP server that PostgreSQL's {@code ldap} authentication (simple bind mode) needs: it answers
 * each BindRequest with success or invalidCredentials as {@code check(dn, password)} says, and closes on an
 * UnbindRequest. LDAP has no password length limit, unlike PAM's 512-byte conversation replies, so a 1–2 KB RDS
 * token reaches the check whole. Loopback only; one named daemon thread per connection; close() stops accepting.
 * Public in irsa-rds's test jar, with {@link LocalPostgres}.
 */
public final class LdapBindResponder implements AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private final ServerSocket server;
    private final BiPredicate<String, String> check;

    /**
     * Listens on a free loopback port.
     *
     * @param check whether a bind of {@code (dn, password)} succeeds; the DN is {@code cn=<user>,dc=rds}
     * @throws IOException when no port can be had
     */
    public LdapBindResponder(BiPredicate<String, String> check) throws IOException {
        this.check = check;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "ldap-bind-responder-accept");
        t.setDaemon(true);
        t.start();
    }

    /** {@return the loopback port to give {@link LocalPostgres}} */
    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "ldap-bind-responder-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; DataInputStream in = new DataInputStream(socket.getInputStream()); OutputStream out = socket.getOutputStream()) {
            while (true) {
                if (in.readUnsignedByte() != 0x30) {
                    return;
                }
                Reader msg = new Reader(readContent(in));
                int messageId = (int) msg.integer();
                int op = msg.tag();
                if (op != 0x60) {
                    return; // UnbindRequest (0x42) or anything else: done
                }
                Reader bind = new Reader(msg.content());
                bind.integer(); // version
                bind.expect(0x04);
                String dn = new String(bind.content(), StandardCharsets.UTF_8);
                bind.expect(0x80);
                String password = new String(bind.content(), StandardCharsets.UTF_8);
                int result = check.test(dn, password) ? 0 : 49;
                byte[] bindResponse = {0x0a, 0x01, (byte) result, 0x04, 0x00, 0x04, 0x00};
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                body.write(new byte[] {0x02, 0x01, (byte) messageId});
                body.write(0x61);
                body.write(bindResponse.length);
                body.write(bindResponse);
                out.write(0x30);
                out.write(body.size());
                body.writeTo(out);
                out.flush();
            }
        } catch (EOFException e) {
            // the client closed
        } catch (IOException | RuntimeException e) {
            // a broken client: drop the connection
        }
    }

    private static byte[] readContent(DataInputStream in) throws IOException {
        int len = in.readUnsignedByte();
        if ((len & 0x80) != 0) {
            int n = len & 0x7f;
            len = 0;
            for (int i = 0; i < n; i++) {
                len = (len << 8) | in.readUnsignedByte();
            }
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return b;
    }

    /** BER over a byte array. */
    private static final class Reader {
        private final byte[] b;
        private int pos;

        Reader(byte[] b) {
            this.b = b;
        }

        int tag() {
            return b[pos++] & 0xff;
        }

        void expect(int tag) {
            int t = tag();
            if (t != tag) {
                throw new IllegalStateException("BER tag " + t + ", expected " + tag);
            }
        }

        byte[] content() {
            int len = b[pos++] & 0xff;
            if ((len & 0x80) != 0) {
                int n = len & 0x7f;
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[pos++] & 0xff);
                }
            }
            byte[] c = java.util.Arrays.copyOfRange(b, pos, pos + len);
            pos += len;
            return c;
        }

        long integer() {
            expect(0x02);
            long v = 0;
            for (byte x : content()) {
                v = (v << 8) | (x & 0xff);
            }
            return v;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
