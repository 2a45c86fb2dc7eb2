package dev.irsa.testkit.kafka;

import dev.irsa.testkit.StsEmulator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real Kafka broker in this JVM that authenticates clients as Amazon MSK IAM does, for testing Kafka applications
 * against the test kit's emulators: one KRaft node (broker and controller), formatted and started the way
 * {@code kafka-storage format} and {@code kafka-server-start} do, on loopback ports only.
 *
 * <p>Its {@code SASL_PLAINTEXT} listener ({@link #bootstrapServers()}) accepts both MSK IAM mechanisms,
 * {@code AWS_MSK_IAM} and {@code OAUTHBEARER}, checked by an {@link MskIamAuthenticator} against the credentials an
 * {@link StsEmulator} issued; every attempt is in {@link #authentications()}. A broker refuses a re-authentication
 * that changes the principal, as MSK does. A second, {@code PLAINTEXT} listener serves {@link #createTopic(String)}
 * and tests that need no authentication; the controller listener stays internal.
 *
 * <p>Needs the Kafka broker on the test class path, which the test kit does not bring: add
 * {@code org.apache.kafka:kafka_2.13} (test scope; it brings the Kafka server modules and Scala) next to
 * {@code kafka-clients}, of the same version (the test kit is tested with Kafka 4.4).
 *
 * <p>The floor: the broker is {@code kafka_2.13} 4.4, and it runs only with {@code kafka-clients} 4.4 on the class
 * path, since broker and clients share the JVM and the broker is built on its own version's client classes. A project
 * on kafka-clients 3.9 (Spring Boot 3.5's) cannot start it in its tests; irsa-kafka's client side (the handlers, its
 * Spring glue) supports kafka-clients 3.9 and newer and is tested on 3.9.1 with Spring Kafka 3.3 without a broker.
 *
 * <pre>{@code
 * try (MskIamBroker broker = MskIamBroker.builder().sts(env.sts()).start()) {
 *     producerProps.put("bootstrap.servers", broker.bootstrapServers());
 *     producerProps.put("security.protocol", "SASL_PLAINTEXT");
 *     ...
 *     assertThat(broker.authentications()).allMatch(MskIamAuthenticator.Authentication::accepted);
 * }
 * }</pre>
 *
 * Thread-safe. {@link #close()} stops the broker, deletes its log directory, and closes the authenticator if the
 * broker made it. Starting takes a few seconds: share one broker among the tests of a class
 * ({@link MskIamBrokerExtension} in a {@code static} field).
 * @since 0.1.0
 */
public final class MskIamBroker implements AutoCloseable {
    /** The name of the SASL listener, as in the broker's {@code listeners}. */
    public static final String SASL_LISTENER = "SASL";

    private final KafkaRaftServer server;
    private final Path dir;
    private final String plaintext;
    private final String sasl;
    private final MskIamAuthenticator authenticator;
    private final boolean ownAuthenticator;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private MskIamBroker(KafkaRaftServer server, Path dir, String plaintext, String sasl,
                         MskIamAuthenticator authenticator, boolean ownAuthenticator) {
        this.server = server;
        this.dir = dir;
        this.plaintext = plaintext;
        this.sasl = sasl;
        this.authenticator = authenticator;
        this.ownAuthenticator = ownAuthenticator;
    }

    /** {@return a builder; set {@link Builder#sts} or {@link Builder#authenticator} before starting} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return {@code host:port} of the SASL listener (both MSK IAM mechanisms): the clients' {@code bootstrap.servers}} */
    public String bootstrapServers() {
        return sasl;
    }

    /** {@return {@code host:port} of the PLAINTEXT listener, which authenticates no one} */
    public String plaintextBootstrapServers() {
        return plaintext;
    }

    /** {@return the authenticator that checks the SASL listener's clients} */
    public MskIamAuthenticator authenticator() {
        return authenticator;
    }

    /**
     * Every authentication and re-authentication attempt on the SASL listener so far, oldest first: mechanism,
     * principal, access key ID, outcome (never a secret).
     *
     * @return an unmodifiable snapshot
     */
    public List<MskIamAuthenticator.Authentication> authentications() {
        return authenticator.authentications();
    }

    /** Forgets the attempts recorded so far (between tests sharing a broker). */
    public void clearAuthentications() {
        authenticator.clearAuthentications();
    }

    /**
     * Creates a topic with one partition through the PLAINTEXT listener, and waits for it; a topic that exists
     * already is left as it is.
     *
     * @param name the topic's name
     * @throws IllegalStateException if the broker refuses or does not answer
     */
    public void createTopic(String name) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", plaintext))) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Could not create topic " + name + ": " + e.getCause(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            try {
                delete(dir);
            } finally {
                if (ownAuthenticator) {
                    authenticator.close();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "MskIamBroker[sasl=" + sasl + ", plaintext=" + plaintext + "]";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete the broker's log directory " + dir, e);
        }
    }

    /** Configures an {@link MskIamBroker}. Not thread-safe. */
    public static final class Builder {
        private StsEmulator sts;
        private MskIamAuthenticator authenticator;
        private Duration maxReauth = Duration.ofMinutes(10);
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Checks clients against the credentials {@code sts} issued, in its region, by its clock
         * ({@link MskIamAuthenticator#forEmulator}); the broker closes that authenticator with itself.
         *
         * @param sts the STS emulator whose credentials the clients sign with
         * @return this builder
         */
        public Builder sts(StsEmulator sts) {
            this.sts = Objects.requireNonNull(sts, "sts");
            return this;
        }

        /**
         * Checks clients with an authenticator of the caller's (say, one that accepts what two emulators issued);
         * the caller closes it. Wins over {@link #sts}.
         *
         * @param authenticator the authenticator
         * @return this builder
         */
        public Builder authenticator(MskIamAuthenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * The broker's {@code connections.max.reauth.ms}: the longest SASL session, whatever the credentials, after
         * which clients re-authenticate on their open connections. Sessions never outlive the credentials either.
         *
         * @param max at least 1 ms; default 10 minutes
         * @return this builder
         */
        public Builder maxReauth(Duration max) {
            if (max.toMillis() < 1) {
                throw new IllegalArgumentException("maxReauth must be at least 1 ms, not " + max);
            }
            this.maxReauth = max;
            return this;
        }

        /**
         * Any other broker property ({@code auto.create.topics.enable}, {@code num.partitions}...); the listeners
         * and the SASL settings are the fixture's.
         *
         * @param name the property
         * @param value its value
         * @return this builder
         */
        public Builder brokerProperty(String name, String value) {
            properties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Formats a fresh log directory and starts the broker; returns once it serves.
         *
         * @return the running broker
         * @throws IllegalStateException if neither an STS emulator nor an authenticator is set, or the broker
         *                               cannot start
         */
        public MskIamBroker start() {
            if (sts == null && authenticator == null) {
                throw new IllegalStateException("Set the STS emulator whose credentials the broker accepts"
                        + " (MskIamBroker.builder().sts(env.sts())) or an authenticator");
            }
            boolean own = authenticator == null;
            MskIamAuthenticator iam = own ? MskIamAuthenticator.forEmulator(sts) : authenticator;
            Path dir = null;
            try {
                dir = Files.createTempDirectory("irsa-msk-broker");
                int controller = freePort();
                String plaintext = "localhost:" + freePort();
                String sasl = "localhost:" + freePort();
                Map<String, Object> p = new HashMap<>();
                p.put("num.partitions", "1");
                p.put("log.cleaner.dedupe.buffer.size", "2097152");
                p.put("group.initial.rebalance.delay.ms", "0");
                p.putAll(properties);
                p.put("process.roles", "broker,controller");
                p.put("node.id", "1");
                p.put("controller.quorum.voters", "1@localhost:" + controller);
                p.put("controller.listener.names", "CONTROLLER");
                p.put("listeners", "PLAINTEXT://" + plaintext + ",CONTROLLER://localhost:" + controller + ","
                        + SASL_LISTENER + "://" + sasl);
                p.put("advertised.listeners", "PLAINTEXT://" + plaintext + "," + SASL_LISTENER + "://" + sasl);
                p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT," + SASL_LISTENER
                        + ":SASL_PLAINTEXT");
                p.put("inter.broker.listener.name", "PLAINTEXT");
                p.put("log.dirs", dir.toString());
                p.put("connections.max.reauth.ms", String.valueOf(maxReauth.toMillis()));
                p.put("offsets.topic.replication.factor", "1");
                p.put("transaction.state.log.replication.factor", "1");
                p.put("transaction.state.log.min.isr", "1");
                p.putAll(iam.brokerListenerConfig(SASL_LISTENER));
                KafkaConfig config = new KafkaConfig(p, false);
                new Formatter().setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                        .setSupportedFeatures(Feature.PRODUCTION_FEATURES).setClusterId(Uuid.randomUuid().toString())
                        .setNodeId(1).setDirectories(List.of(dir.toString())).setMetadataLogDirectory(dir.toString())
                        .setControllerListenerName("CONTROLLER").setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                        .run();
                KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
                try {
                    server.startup();
                } catch (RuntimeException e) {
                    server.shutdown();
                    throw e;
                }
                return new MskIamBroker(server, dir, plaintext, sasl, iam, own);
            } catch (Exception e) {
                if (dir != null) {
                    try {
                        delete(dir);
                    } catch (UncheckedIOException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                if (own) {
                    iam.close();
                }
                throw new IllegalStateException("The in-JVM Kafka broker did not start: " + e, e);
            }
        }
    }
}
