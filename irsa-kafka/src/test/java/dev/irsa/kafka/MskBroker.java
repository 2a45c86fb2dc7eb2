package dev.irsa.kafka;

import dev.irsa.testkit.kafka.MskIamAuthenticator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real Kafka broker in this JVM: KRaft, one node that is broker and controller, formatted and started the way
 * {@code kafka-storage format} and {@code kafka-server-start} do. Its SASL_PLAINTEXT listener checks MSK IAM with
 * the test kit's {@link MskIamAuthenticator}; the controller and inter-broker listeners stay PLAINTEXT, so only the
 * clients under test authenticate.
 */
final class MskBroker implements AutoCloseable {
    static final String SASL_LISTENER = "SASL";
    private final KafkaRaftServer server;
    private final Path dir;
    private final String plaintext;
    private final String sasl;

    private MskBroker(KafkaRaftServer server, Path dir, String plaintext, String sasl) {
        this.server = server;
        this.dir = dir;
        this.plaintext = plaintext;
        this.sasl = sasl;
    }

    /**
     * Formats a fresh log directory and starts the node.
     *
     * @param iam the authenticator of the SASL listener
     * @param maxReauth the broker's {@code connections.max.reauth.ms}: the longest session, whatever the credentials
     */
    static MskBroker start(MskIamAuthenticator iam, Duration maxReauth) throws Exception {
        Path dir = Files.createTempDirectory("irsa-kafka-broker");
        int controller = freePort();
        String plaintext = "localhost:" + freePort();
        String sasl = "localhost:" + freePort();
        Map<String, Object> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@localhost:" + controller);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listeners", "PLAINTEXT://" + plaintext + ",CONTROLLER://localhost:" + controller + "," + SASL_LISTENER + "://" + sasl);
        p.put("advertised.listeners", "PLAINTEXT://" + plaintext + "," + SASL_LISTENER + "://" + sasl);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT," + SASL_LISTENER + ":SASL_PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dir.toString());
        p.put("connections.max.reauth.ms", String.valueOf(maxReauth.toMillis()));
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("log.cleaner.dedupe.buffer.size", "2097152");
        p.putAll(iam.brokerListenerConfig(SASL_LISTENER));
        KafkaConfig config = new KafkaConfig(p, false);
        new Formatter().setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES).setClusterId(Uuid.randomUuid().toString())
                .setNodeId(1).setDirectories(List.of(dir.toString())).setMetadataLogDirectory(dir.toString())
                .setControllerListenerName("CONTROLLER").setReleaseVersion(MetadataVersion.LATEST_PRODUCTION).run();
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            server.shutdown();
            delete(dir);
            throw e;
        }
        return new MskBroker(server, dir, plaintext, sasl);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@return host:port of the SASL listener} */
    String bootstrap() {
        return sasl;
    }

    /** Creates a topic through the PLAINTEXT listener. */
    void createTopic(String name) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", plaintext))) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            delete(dir);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
