package dev.irsa.core.internal;

import dev.irsa.core.IrsaCredentials;
import dev.irsa.core.IrsaException;
import dev.irsa.core.PodIdentityConfig;
import dev.irsa.core.TokenFile;
import dev.irsa.core.WebIdentityToken;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;
import software.amazon.awssdk.protocols.jsoncore.JsonNodeParser;

/**
 * One refresh from a container-credentials endpoint, as EKS Pod Identity serves it: read the token afresh (the
 * literal {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}, else the projected file, re-read on every call and never
 * cached or logged), {@code GET} the agent's URI with header {@code Authorization: <token>} (no "Bearer"), parse the
 * JSON answer. 429 and 5xx (and I/O errors) are retried by {@link StsRetry}, the same loop the STS exchanges use; a
 * 400 (the agent or EKS Auth rejected the token) re-reads the token once, as the kubelet may just have rotated it.
 * Bodies are read up to {@link #MAX_BODY_BYTES}; the agent's plain-text errors reach messages scrubbed of the token.
 * No proxy is ever used (the agent is link-local). Each call, body included, is bounded by the
 * {@linkplain PodIdentityConfig#attemptTimeout() attempt deadline}. No server time is reported for the clock-skew
 * check: the agent runs on this node, so its {@code Date} is this node's own clock. Thread-safe; blocking;
 * {@link #close()} ends the deadline timer.
 */
public final class ContainerCredentialsExchange implements CredentialExchange {
    private static final Logger log = LoggerFactory.getLogger(ContainerCredentialsExchange.class);
    /** An agent answer is about 1.5 KB; anything near this is not the agent. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final int MAX_ERROR_TEXT = 400;
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);
    /** The agent's error text: {@code [requestId]: (Code): message, fault: ...}. */
    private static final Pattern AGENT_CODE = Pattern.compile("\\((\\w{3,64})\\)");

    private final PodIdentityConfig config;
    private final TokenFile tokenFile;
    private final URI endpoint;
    private volatile boolean audienceWarned;
    private volatile StsRetry retry = StsRetry.standard();
    private final AttemptDeadline deadline;

    public ContainerCredentialsExchange(PodIdentityConfig config) {
        this.config = config;
        this.deadline = new AttemptDeadline(config.attemptTimeout());
        this.endpoint = config.endpoint();
        this.tokenFile = config.tokenFile()
                .map(p -> TokenFile.podIdentity(p, config.refreshPolicy().tokenReadRetry())).orElse(null);
    }

    /** Test seam: how retries pause. */
    public void retry(StsRetry retry) {
        this.retry = retry;
    }

    @Override
    public ExchangeResult exchange(int maxAttempts) {
        int[] calls = {0};
        boolean[] tokenReRead = {false};
        return retry.run(maxAttempts, () -> attempt(calls, tokenReRead));
    }

    private String tokenSource() {
        return tokenFile != null ? tokenFile.path().toString() : "AWS_CONTAINER_AUTHORIZATION_TOKEN";
    }

    private ExchangeResult attempt(int[] calls, boolean[] tokenReRead) {
        String token = tokenFile != null ? tokenFile.read() : config.literalToken().orElseThrow().strip();
        WebIdentityToken claims = claims(token);
        calls[0]++;
        Answer a;
        try {
            a = get(token);
        } catch (AttemptDeadline.Exceeded e) {
            throw new IrsaException(IrsaException.Kind.RETRYABLE, null, "No complete answer from the EKS Pod Identity"
                    + " agent at " + endpoint + " within the attempt deadline of " + AttemptDeadline.millis(e.limit())
                    + " (attemptTimeout): " + e.outcome() + ". Neither the connect nor the"
                    + " read timeout ended it, so something is slowing the answer down: an overloaded agent or node, or a"
                    + " proxy or middlebox in the path (the agent is link-local: no proxy should be). Check the"
                    + " eks-pod-identity-agent pod on this node and its logs. Retried with backoff.", null);
        } catch (IOException e) {
            boolean timeout = e instanceof SocketTimeoutException;
            String detail = Redaction.scrub(e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getClass().getSimpleName() + ": " + e.getMessage(), token);
            throw new IrsaException(IrsaException.Kind.RETRYABLE, null, (timeout ? "Timed out calling" : "Could not reach")
                    + " the EKS Pod Identity agent at " + endpoint + ": " + detail + ". Check the eks-pod-identity-agent"
                    + " add-on's DaemonSet runs on this node (kubectl -n kube-system get ds eks-pod-identity-agent), and"
                    + " that network policies let the pod reach " + endpoint.getHost() + " port "
                    + (endpoint.getPort() < 0 ? 80 : endpoint.getPort()) + ". Retried with backoff.", null);
        }
        if (a.status == 200) {
            return new ExchangeResult(parse(a.body), claims, calls[0]);
        }
        String text = agentText(a.body, token);
        String code = agentCode(text);
        String said = "The EKS Pod Identity agent at " + endpoint + " answered HTTP " + a.status
                + (text.isEmpty() ? "" : ": " + text) + ". ";
        if (a.status == 400) {
            if (tokenFile != null && !tokenReRead[0]) {
                tokenReRead[0] = true; // the kubelet may just have rotated it: read it again now, once
                log.debug("The Pod Identity agent rejected the token (HTTP 400); re-reading {} once", tokenFile.path());
                return attempt(calls, tokenReRead);
            }
            throw new IrsaException(IrsaException.Kind.TOKEN, code, said + "The token from " + tokenSource()
                    + (claims == null ? " is not a JWT" : " (" + claims.describe() + ", aud " + claims.audiences()
                    + ", exp " + claims.expiresAt() + ")") + " was rejected. It must be"
                    + " the projected service-account token for audience " + PodIdentityConfig.AUDIENCE + ", unexpired:"
                    + " check AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names " + PodIdentityConfig.EKS_TOKEN_FILE
                    + " (the kubelet rotates it) and that AWS_CONTAINER_AUTHORIZATION_TOKEN is not set to something else.",
                    null);
        }
        if (a.status == 403) {
            String who = claims != null && claims.namespace() != null ? "namespace " + claims.namespace()
                    + ", service account " + claims.serviceAccount() : "this pod's service account";
            throw new IrsaException(IrsaException.Kind.NON_RECOVERABLE, code, said + "Either there is no Pod Identity"
                    + " association for " + who + " (aws eks list-pod-identity-associations --cluster-name <cluster>"
                    + (claims != null && claims.namespace() != null ? " --namespace " + claims.namespace()
                    + " --service-account " + claims.serviceAccount() : "") + "; an association applies to pods created"
                    + " after it), the associated role's trust policy does not let the service principal "
                    + PodIdentityConfig.AUDIENCE + " call sts:AssumeRole and sts:TagSession, or the agent was called"
                    + " through an address that is not its own: it answers only requests for Host "
                    + PodIdentityConfig.EKS_AGENT_IPV4 + " or [" + PodIdentityConfig.EKS_AGENT_IPV6 + "]; check"
                    + " AWS_CONTAINER_CREDENTIALS_FULL_URI (now " + endpoint + ").", null);
        }
        if (a.status == 429 || a.status >= 500) {
            throw new IrsaException(IrsaException.Kind.RETRYABLE, code, said + (a.status == 429
                    ? "The agent is throttling (it allows a few calls per second to EKS Auth per node)."
                    : "A transient agent or EKS Auth problem.") + " Retried with backoff; cached credentials are served"
                    + " until they expire.", null);
        }
        throw new IrsaException(IrsaException.Kind.NON_RECOVERABLE, code, said + (a.status == 404
                ? "No credentials at this path: AWS_CONTAINER_CREDENTIALS_FULL_URI should be " + PodIdentityConfig.EKS_AGENT_URI
                : "Not an answer the Pod Identity agent gives: check AWS_CONTAINER_CREDENTIALS_FULL_URI names the agent")
                + ".", null);
    }

    /** The token's claims for diagnostics, or null for a literal token that is not a JWT (not ours to judge). */
    private WebIdentityToken claims(String token) {
        WebIdentityToken t;
        if (tokenFile != null) {
            t = tokenFile.decode(token); // not a JWT: explained as a Pod Identity token, not an IRSA one
        } else {
            try {
                t = WebIdentityToken.decode(token, tokenSource());
            } catch (IrsaException e) {
                return null;
            }
        }
        Instant now = config.clock().instant();
        if (tokenFile != null && t.expiresAt() != null && now.minus(CLOCK_SKEW).isAfter(t.expiresAt())) {
            throw new IrsaException(IrsaException.Kind.TOKEN, null, "The EKS Pod Identity token in " + tokenFile.path()
                    + " expired at " + t.expiresAt() + " (now " + now + "): the kubelet has not rotated it. Check the"
                    + " projected volume is still mounted, and the node's clock.", null);
        }
        if (!t.audiences().contains(PodIdentityConfig.AUDIENCE) && !audienceWarned) {
            audienceWarned = true;
            log.warn("The EKS Pod Identity token from {} has audience {}, not {}: the agent will reject it.",
                    tokenSource(), t.audiences(), PodIdentityConfig.AUDIENCE);
        }
        return t;
    }

    private record Answer(int status, byte[] body) {
    }

    private Answer get(String token) throws IOException {
        HttpURLConnection c = (HttpURLConnection) endpoint.toURL().openConnection(Proxy.NO_PROXY);
        c.setRequestMethod("GET");
        c.setConnectTimeout((int) Math.max(1, config.connectTimeout().toMillis()));
        c.setReadTimeout((int) Math.max(1, config.readTimeout().toMillis()));
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        if (token.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            // the JDK would refuse the header with the whole value in its message: say so without the token
            throw new IrsaException(IrsaException.Kind.TOKEN, null, "The EKS Pod Identity authorization token contains"
                    + " control characters (a line break inside it?), so it cannot be sent as a header. Check"
                    + " AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE holds the projected token as the kubelet writes it, or"
                    + " AWS_CONTAINER_AUTHORIZATION_TOKEN a single-line value.", null);
        }
        c.setRequestProperty("Authorization", token);
        c.setRequestProperty("Accept", "application/json");
        c.setRequestProperty("User-Agent", "irsa-java");
        return deadline.run(armed -> { // a failure once the deadline passed is reported as the cut
            boolean complete = false;
            try {
                Answer a = read(c, armed);
                complete = true;
                return a;
            } finally {
                if (!complete) {
                    c.disconnect(); // drop the connection rather than drain or reuse it
                }
            }
        }, c::disconnect);
    }

    /** Marks {@code armed} answering once the status line has arrived (a slow body rather than no answer). */
    private static Answer read(HttpURLConnection c, AttemptDeadline.Armed armed) throws IOException {
        int status = c.getResponseCode();
        armed.answering();
        long declared = c.getContentLengthLong();
        if (declared > MAX_BODY_BYTES) {
            throw new IOException("HTTP " + status + " response of " + declared + " bytes is larger than "
                    + MAX_BODY_BYTES + " bytes: not the Pod Identity agent");
        }
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        byte[] body = new byte[0];
        if (in != null) {
            try (InputStream guarded = armed.guard(in)) {
                body = guarded.readNBytes(MAX_BODY_BYTES + 1);
            }
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new IOException("HTTP " + status + " response larger than " + MAX_BODY_BYTES
                    + " bytes: not the Pod Identity agent");
        }
        return new Answer(status, body);
    }

    /** The agent's plain-text error, one line, short, without the token or anything shaped like a JWT. */
    private static String agentText(byte[] body, String token) {
        String s = new String(body, StandardCharsets.UTF_8).replaceAll("[\\p{Cntrl}&&[^\\t]]+", " ").strip();
        s = Redaction.scrub(s, token);
        return s.length() > MAX_ERROR_TEXT ? s.substring(0, MAX_ERROR_TEXT) + "…" : s;
    }

    private static String agentCode(String text) {
        Matcher m = AGENT_CODE.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /** The agent's JSON; a body that is not one is retryable (something else answered, or it was cut off). */
    private IrsaCredentials parse(byte[] body) {
        try {
            JsonNode node = JsonNodeParser.create().parse(new String(body, StandardCharsets.UTF_8));
            if (!node.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            Map<String, JsonNode> o = node.asObject();
            String akid = text(o, "AccessKeyId");
            String secret = text(o, "SecretAccessKey");
            String session = text(o, "Token");
            String exp = text(o, "Expiration");
            JsonNode account = o.get("AccountId");
            String accountId = account != null && account.isString() && !account.asString().isBlank()
                    ? account.asString() : null;
            return new IrsaCredentials(akid, secret, session, expiration(exp), null, accountId);
        } catch (RuntimeException e) {
            // Never the body: it may hold a secret key.
            throw new IrsaException(IrsaException.Kind.RETRYABLE, null, "The answer from " + endpoint + " (HTTP 200, "
                    + body.length + " bytes) is not the Pod Identity agent's credentials JSON ("
                    + (e instanceof IllegalArgumentException ? e.getMessage() : e.getClass().getSimpleName())
                    + "). Check AWS_CONTAINER_CREDENTIALS_FULL_URI. Retried with backoff.", null);
        }
    }

    private static String text(Map<String, JsonNode> o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.isString() || n.asString().isBlank()) {
            throw new IllegalArgumentException("no " + field);
        }
        return n.asString();
    }

    /** RFC 3339, fractional seconds of any precision, {@code Z} or an offset, also {@code +0000} without a colon. */
    static Instant expiration(String s) {
        String v = s.strip();
        if (v.matches(".*[+-]\\d{4}$")) {
            v = v.substring(0, v.length() - 2) + ":" + v.substring(v.length() - 2);
        }
        try {
            return OffsetDateTime.parse(v, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("Expiration '" + s + "' is not an RFC 3339 time");
        }
    }

    @Override
    public void close() {
        deadline.close();
    }
}
