package dev.irsa.testkit;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpExchange;
import dev.irsa.testkit.internal.IdentityTokenVerifier;
import dev.irsa.testkit.internal.LoopbackHttpServer;
import dev.irsa.testkit.internal.StsException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An EKS Pod Identity agent on loopback, next to the {@link StsEmulator}: {@code GET /v1/credentials} with header
 * {@code Authorization: <projected token>} answers the agent's JSON ({@code AccessKeyId}, {@code SecretAccessKey},
 * {@code Token}, {@code AccountId}, {@code Expiration}) or its plain-text errors.
 *
 * <p>Like the agent (and EKS Auth behind it) it: refuses a request whose {@code Host} is not its own address with 403
 * ("Called agent through invalid address"; its own addresses are {@code 169.254.170.23}, {@code [fd00:ec2::23]}, the
 * loopback literal it listens on, and any {@linkplain Builder#acceptHost added} ones, with or without port: so a
 * client that connects to {@code 127.0.0.1} or {@code [::1]} passes, and a test can send {@code Host: localhost} or a
 * foreign name to see the refusal); validates the token (400 unless an RS256 JWT signed by a key in the
 * {@link OidcIssuer}'s JWKS, unexpired, audience {@code pods.eks.amazonaws.com}); maps the token's namespace and
 * service account to the {@linkplain #associate associated} role (403 when there is none); and issues credentials
 * through {@link StsEmulator#issueFor}, so the STS emulator's {@code GetCallerIdentity} accepts them.
 *
 * <p>{@linkplain #faults() Faults}: 429, 5xx, non-JSON 200, latency, dropped connections. Thread-safe; {@link #close()}
 * stops the server (the issuer and STS emulator belong to the caller).
 * @since 0.1.0
 */
public final class PodIdentityAgentEmulator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PodIdentityAgentEmulator.class);
    /** The audience Pod Identity tokens must carry. */
    public static final String AUDIENCE = "pods.eks.amazonaws.com";
    /** The path of the agent's credentials endpoint. */
    public static final String PATH = "/v1/credentials";

    /** How {@code Expiration} is written: the agent's usual form, with nanoseconds, or with a {@code +0000} offset. */
    public enum ExpirationStyle {
        /** {@code 2024-01-01T00:00:00Z}: the agent's usual form. */
        SECONDS_Z,
        /** With nanoseconds and {@code Z}. */
        NANOS_Z,
        /** With a {@code +0000} offset. */
        PLUS_0000
    }

    private final LoopbackHttpServer.Bound http;
    private final URI endpoint;
    private final OidcIssuer issuer;
    private final StsEmulator sts;
    private final Clock clock;
    private final String clusterName;
    private final IdentityTokenVerifier verifier;
    private final Set<String> hosts;
    private final Map<String, String> associations = new ConcurrentHashMap<>();
    private final Faults faults = new Faults();
    private final CopyOnWriteArrayList<PodIdentityCall> calls = new CopyOnWriteArrayList<>();
    private volatile Duration credentialLifetime;
    private volatile ExpirationStyle expirationStyle = ExpirationStyle.SECONDS_Z;

    private PodIdentityAgentEmulator(Builder b) {
        this.issuer = Objects.requireNonNull(b.issuer, "issuer");
        this.sts = Objects.requireNonNull(b.sts, "sts");
        this.clock = b.clock;
        this.clusterName = b.clusterName;
        this.credentialLifetime = b.credentialLifetime;
        this.verifier = new IdentityTokenVerifier(clock, Duration.ofSeconds(5));
        InetAddress address;
        try {
            address = InetAddress.getByName(b.ipv6 ? "::1" : "127.0.0.1");
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        this.http = LoopbackHttpServer.bind(address, b.port, "irsa-testkit-pod-identity");
        String literal = b.ipv6 ? "[::1]" : "127.0.0.1";
        this.endpoint = URI.create("http://" + literal + ":" + http.port() + PATH);
        Set<String> h = new HashSet<>(Set.of("169.254.170.23", "[fd00:ec2::23]", literal));
        b.extraHosts.forEach(x -> h.add(x.toLowerCase(Locale.ROOT)));
        this.hosts = Set.copyOf(h);
        http.server().createContext("/", this::handle);
        http.start();
    }

    /**
     * {@return a new builder; it needs an {@link Builder#issuer(OidcIssuer) issuer} and an {@link
     * Builder#sts(StsEmulator) STS emulator}}
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@code AWS_CONTAINER_CREDENTIALS_FULL_URI} for a client on this machine.
     *
     * @return the credentials URI
     */
    public URI endpoint() {
        return endpoint;
    }

    /**
     * Creates (or replaces) the Pod Identity association of a service account; returns the role ARN.
     *
     * @param namespace the service account's namespace
     * @param serviceAccount the service account's name
     * @param roleArn the role the association grants
     * @return {@code roleArn}
     */
    public String associate(String namespace, String serviceAccount, String roleArn) {
        associations.put(namespace + "/" + serviceAccount, Objects.requireNonNull(roleArn));
        return roleArn;
    }

    /**
     * Deletes an association: that service account's requests are refused (403) from now on.
     *
     * @param namespace the service account's namespace
     * @param serviceAccount the service account's name
     */
    public void removeAssociation(String namespace, String serviceAccount) {
        associations.remove(namespace + "/" + serviceAccount);
    }

    /**
     * Credential lifetime (default 6 h, as EKS Pod Identity); short values make refresh tests fast.
     *
     * @param lifetime the lifetime of the credentials handed out
     */
    public void credentialLifetime(Duration lifetime) {
        this.credentialLifetime = Objects.requireNonNull(lifetime);
    }

    /**
     * How {@code Expiration} is written in answers from now on (default {@link ExpirationStyle#SECONDS_Z}).
     *
     * @param style the style
     */
    public void expirationStyle(ExpirationStyle style) {
        this.expirationStyle = Objects.requireNonNull(style);
    }

    /** {@return the fault injection controls} */
    public Faults faults() {
        return faults;
    }

    /**
     * Every request received, in order.
     *
     * @return a copy of the requests received, oldest first
     */
    public List<PodIdentityCall> calls() {
        return List.copyOf(calls);
    }

    /**
     * Counts requests by outcome.
     *
     * @param outcome the outcome, as in {@link PodIdentityCall#outcome()}
     * @return how many requests had {@code outcome}
     */
    public long count(String outcome) {
        return calls.stream().filter(c -> outcome.equals(c.outcome())).count();
    }

    /** Forgets faults and calls. */
    public void reset() {
        faults.clear();
        calls.clear();
    }

    @Override
    public void close() {
        http.stop();
    }

    // ----------------------------------------------------------------------------------------------------------

    private record AgentError(int status, String code, String message) {
    }

    private void handle(HttpExchange ex) throws IOException {
        Instant started = Instant.now();
        String requestId = UUID.randomUUID().toString();
        String host = ex.getRequestHeaders().getFirst("Host");
        String token = ex.getRequestHeaders().getFirst("Authorization");
        String subject = null;
        try {
            PodIdentityFault fault = faults.next();
            Duration latency = faults.latency;
            if (!latency.isZero()) {
                Thread.sleep(latency.toMillis());
            }
            if (fault == PodIdentityFault.CONNECTION_RESET) {
                record(started, fault.outcome(), 0, host, null, token);
                return; // closing an exchange that sent no headers drops the connection
            }
            if (!ownAddress(host)) {
                throw new AgentError403("AccessDeniedException", "Called agent through invalid address");
            }
            if (!"GET".equals(ex.getRequestMethod()) || !PATH.equals(ex.getRequestURI().getPath())) {
                respond(ex, 404, requestId, "NotFound", "404 page not found");
                record(started, "NotFound", 404, host, null, token);
                return;
            }
            if (fault != null) {
                record(started, fault.outcome(), fault.status, host, null, token);
                if (fault == PodIdentityFault.GARBAGE_200) {
                    send(ex, 200, "text/plain", "OK\n");
                } else {
                    respond(ex, fault.status, requestId, fault.code, fault.message);
                }
                return;
            }
            if (token == null || token.isBlank()) {
                throw new AgentError400("InvalidTokenException", "Service account token cannot be empty");
            }
            JWTClaimsSet claims = validate(token);
            subject = claims.getSubject();
            String[] sub = subject == null ? new String[0] : subject.split(":");
            if (sub.length != 4 || !sub[0].equals("system") || !sub[1].equals("serviceaccount")) {
                throw new AgentError400("InvalidTokenException", "Token subject is not a service account");
            }
            String role = associations.get(sub[2] + "/" + sub[3]);
            if (role == null) {
                throw new AgentError403("AccessDeniedException", "No Pod Identity Association found for namespace "
                        + sub[2] + " and service account " + sub[3] + " in cluster " + clusterName);
            }
            Object pod = claims.getClaim("kubernetes.io") instanceof Map<?, ?> k && k.get("pod") instanceof Map<?, ?> p
                    ? p.get("name") : null;
            String session = ("eks-" + clusterName + "-" + (pod == null ? sub[3] : pod) + "-"
                    + UUID.randomUUID().toString().substring(0, 8)).replaceAll("[^\\w+=,.@-]", "-");
            IssuedCredentials c = sts.issueFor(role, session.length() > 64 ? session.substring(0, 64) : session,
                    credentialLifetime);
            String json = "{\"AccessKeyId\":\"" + c.accessKeyId() + "\",\"SecretAccessKey\":\"" + c.secretAccessKey()
                    + "\",\"Token\":\"" + c.sessionToken() + "\",\"AccountId\":\"" + c.accountId()
                    + "\",\"Expiration\":\"" + format(c.expiration()) + "\"}";
            record(started, "Success", 200, host, subject, token); // before answering: a client finds its call logged
            send(ex, 200, "application/json", json);
        } catch (AgentFailure e) {
            record(started, e.code, e.status, host, subject, token);
            respond(ex, e.status, requestId, e.code, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("Pod Identity agent emulator failed", e);
            record(started, "InternalServerException", 500, host, subject, token);
            respond(ex, 500, requestId, "InternalServerException", "Emulator error: " + e.getClass().getSimpleName());
        } finally {
            ex.close();
        }
    }

    private JWTClaimsSet validate(String token) {
        try {
            JWT jwt = IdentityTokenVerifier.parse(token);
            String iss = jwt.getJWTClaimsSet().getIssuer();
            if (!issuer.issuer().toString().equals(iss)) {
                throw new AgentError400("InvalidTokenException", "Token issuer " + iss + " is not this cluster's issuer");
            }
            JWTClaimsSet claims = verifier.verify(jwt, iss);
            if (claims.getAudience() == null || !claims.getAudience().contains(AUDIENCE)) {
                throw new AgentError400("InvalidTokenException", "Token audience " + claims.getAudience()
                        + " does not include " + AUDIENCE);
            }
            return claims;
        } catch (StsException e) {
            throw new AgentError400(e.code().equals("ExpiredTokenException") ? "ExpiredTokenException"
                    : "InvalidTokenException", e.getMessage());
        } catch (ParseException e) {
            throw new AgentError400("InvalidTokenException", "Token claims are not valid JSON");
        }
    }

    private boolean ownAddress(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (hosts.contains(h)) {
            return true;
        }
        int colon = h.lastIndexOf(':');
        return colon > 0 && h.indexOf(']') < colon && hosts.contains(h.substring(0, colon));
    }

    private String format(Instant t) {
        return switch (expirationStyle) {
            case SECONDS_Z -> DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            case NANOS_Z -> DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC)
                    .format(t.minusNanos(1)); // a nanosecond early: never later than STS's expiry
            case PLUS_0000 -> DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxx").withZone(ZoneOffset.UTC).format(t);
        };
    }

    private void record(Instant started, String outcome, int status, String host, String subject, String token) {
        calls.add(new PodIdentityCall(started, outcome, status, host, subject, Duration.between(started, Instant.now()),
                StsCall.fingerprint(token)));
    }

    /** The agent's plain-text error: {@code [requestId]: (Code): message, fault: client|server}. */
    private void respond(HttpExchange ex, int status, String requestId, String code, String message) {
        try {
            send(ex, status, "text/plain; charset=utf-8", "[" + requestId + "]: (" + code + "): " + message + ", fault: "
                    + (status >= 500 ? "server" : "client") + "\n");
        } catch (IOException e) {
            log.debug("client went away: {}", e.toString());
        }
    }

    private void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            StsEmulator.writeBody(out, bytes, faults.dripFeed);
        }
    }

    private static class AgentFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        AgentFailure(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    private static final class AgentError400 extends AgentFailure {
        private static final long serialVersionUID = 1L;

        AgentError400(String code, String message) {
            super(400, code, message);
        }
    }

    private static final class AgentError403 extends AgentFailure {
        private static final long serialVersionUID = 1L;

        AgentError403(String code, String message) {
            super(403, code, message);
        }
    }

    /** Faults: the next N requests, every request until cleared (an outage), and a latency. Thread-safe. */
    public static final class Faults {
        /**
         * Creates fault controls with no faults and no latency; an emulator's own are {@link
         * PodIdentityAgentEmulator#faults()}.
         */
        public Faults() {
        }

        private final Deque<PodIdentityFault> next = new ArrayDeque<>();
        private volatile PodIdentityFault always;
        private volatile Duration latency = Duration.ZERO;
        private volatile Duration dripFeed = Duration.ZERO;

        /**
         * The next {@code n} requests fail with {@code fault}, then service resumes.
         *
         * @param n how many requests fail
         * @param fault how they fail
         * @return these controls
         */
        public synchronized Faults failNext(int n, PodIdentityFault fault) {
            for (int i = 0; i < n; i++) {
                next.add(fault);
            }
            return this;
        }

        /**
         * Every request fails with {@code fault} until {@link #clear()}: an outage.
         *
         * @param fault how requests fail
         * @return these controls
         */
        public Faults failAlways(PodIdentityFault fault) {
            this.always = fault;
            return this;
        }

        /**
         * Slows every answer (and fault) by this much.
         *
         * @param latency the delay
         * @return these controls
         */
        public Faults latency(Duration latency) {
            this.latency = Objects.requireNonNull(latency);
            return this;
        }

        /**
         * Sends every answer (credentials and errors) as a slow middlebox would: the status line and headers at
         * once, then the body one byte per {@code perByte}. Each read a client makes returns within {@code perByte},
         * so a per-read timeout longer than that never fires: only a deadline over the whole answer ends the call.
         * A client that hangs up stops the drip. {@link Duration#ZERO} (the default) turns it off.
         *
         * @param perByte the pause before each byte of the body
         * @return these controls
         * @throws IllegalArgumentException if {@code perByte} is negative
         */
        public Faults dripFeed(Duration perByte) {
            if (Objects.requireNonNull(perByte, "perByte").isNegative()) {
                throw new IllegalArgumentException("perByte must be zero or positive, not " + perByte);
            }
            this.dripFeed = perByte;
            return this;
        }

        /** Removes every fault, the latency and the drip feed. */
        public synchronized void clear() {
            next.clear();
            always = null;
            latency = Duration.ZERO;
            dripFeed = Duration.ZERO;
        }

        synchronized PodIdentityFault next() {
            PodIdentityFault f = next.poll();
            return f != null ? f : always;
        }
    }

    /** Configures a {@link PodIdentityAgentEmulator}. */
    public static final class Builder {
        /** Creates a builder holding the defaults, as {@link PodIdentityAgentEmulator#builder()} does. */
        public Builder() {
        }

        private OidcIssuer issuer;
        private StsEmulator sts;
        private Clock clock = Clock.systemUTC();
        private int port;
        private boolean ipv6;
        private String clusterName = "test-cluster";
        private Duration credentialLifetime = Duration.ofHours(6);
        private final Set<String> extraHosts = new HashSet<>();

        /**
         * The cluster's issuer: tokens must be signed by a key in its JWKS.
         *
         * @param issuer the issuer
         * @return this builder
         */
        public Builder issuer(OidcIssuer issuer) {
            this.issuer = issuer;
            return this;
        }

        /**
         * Where credentials are issued, so that its {@code GetCallerIdentity} accepts them.
         *
         * @param sts the STS emulator
         * @return this builder
         */
        public Builder sts(StsEmulator sts) {
            this.sts = sts;
            return this;
        }

        /**
         * The clock for token validity and credential expiry (default system UTC).
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /**
         * The port to listen on (default 0: an ephemeral port).
         *
         * @param port the port, or 0
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Listen on {@code [::1]} instead of {@code 127.0.0.1}.
         *
         * @param ipv6 whether to listen on {@code [::1]}
         * @return this builder
         */
        public Builder ipv6(boolean ipv6) {
            this.ipv6 = ipv6;
            return this;
        }

        /**
         * The cluster's name, used in session names and messages (default {@code test-cluster}).
         *
         * @param clusterName the name
         * @return this builder
         */
        public Builder clusterName(String clusterName) {
            this.clusterName = Objects.requireNonNull(clusterName);
            return this;
        }

        /**
         * Credential lifetime (default 6 h, as EKS Pod Identity).
         *
         * @param lifetime the lifetime
         * @return this builder
         */
        public Builder credentialLifetime(Duration lifetime) {
            this.credentialLifetime = Objects.requireNonNull(lifetime);
            return this;
        }

        /**
         * Also treat this Host (e.g. {@code localhost}) as the agent's own address.
         *
         * @param host the host name
         * @return this builder
         */
        public Builder acceptHost(String host) {
            this.extraHosts.add(Objects.requireNonNull(host));
            return this;
        }

        /** {@return a running agent emulator; close it to stop it} */
        public PodIdentityAgentEmulator start() {
            return new PodIdentityAgentEmulator(this);
        }
    }
}
