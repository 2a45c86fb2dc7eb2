package dev.irsa.core.internal;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.IrsaCredentials;
import dev.irsa.core.IrsaException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;

/**
 * {@code AssumeRoleWithWebIdentity} over STS's Query protocol, without an SDK service client: the call is unsigned,
 * the request is a form POST and the answer a small XML document, so the SDK's client machinery (endpoint rules,
 * interceptors, marshallers, auth schemes, retry strategies) only costs start-up time: building an {@code StsClient}
 * was half of a cold pod's time to its first credentials. The HTTP client is still the SDK's URLConnection one (its
 * proxy settings and TLS), bounded by {@link BoundedHttpClient}. Failures that are not STS's answers are classified by
 * {@link StsFailures} exactly as on the SDK path. Thread-safe; blocking.
 */
final class StsQueryClient implements AutoCloseable {
    static final String VERSION = "2011-06-15";
    private static final String USER_AGENT = "irsa-java (AssumeRoleWithWebIdentity; +https://github.com/irsa-java)";

    /** Built once: a factory lookup per call would scan the class path each refresh. No DTDs, no entities. */
    private static final XMLInputFactory XML = xmlFactory();

    private final URI endpoint;
    private final SdkHttpClient http;

    StsQueryClient(IrsaConfig config) {
        this(config.stsEndpoint(), BoundedHttpClient.forConfig(config));
    }

    StsQueryClient(URI endpoint, SdkHttpClient http) {
        this.endpoint = endpoint;
        this.http = http;
    }

    /** What STS answered: credentials, or one of its error documents. Anything else is thrown. */
    sealed interface Answer permits Issued, StsError {
    }

    /** A {@code AssumeRoleWithWebIdentityResult}, and STS's time by its {@code Date} header (null if none). */
    record Issued(IrsaCredentials credentials, java.time.Instant serverTime) implements Answer {
    }

    /** An {@code ErrorResponse}: STS's code and message, as STS gave them. */
    record StsError(int status, String code, String message, String requestId) implements Answer {
    }

    /**
     * One call.
     *
     * @param params the action's parameters (without {@code Action} and {@code Version})
     * @param secret what must never appear in a message (the token)
     * @throws IrsaException when the answer is not STS's (proxy pages, cut-off or huge bodies, no answer)
     */
    Answer assumeRoleWithWebIdentity(Map<String, String> params, String secret) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("Action", "AssumeRoleWithWebIdentity");
        form.put("Version", VERSION);
        form.putAll(params);
        byte[] body = encode(form).getBytes(StandardCharsets.UTF_8);
        SdkHttpFullRequest request = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? endpoint.resolve("/") : endpoint)
                .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .putHeader("Content-Length", Integer.toString(body.length))
                .putHeader("Accept", "text/xml")
                .putHeader("User-Agent", USER_AGENT)
                .build();
        int status;
        String contentType;
        String date;
        byte[] answer;
        try {
            HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder().request(request)
                    .contentStreamProvider(ContentStreamProvider.fromByteArrayUnsafe(body)).build()).call();
            status = response.httpResponse().statusCode();
            contentType = response.httpResponse().firstMatchingHeader("Content-Type").orElse(null);
            date = response.httpResponse().firstMatchingHeader("Date").orElse(null);
            try (InputStream in = response.responseBody().map(InputStream.class::cast)
                    .orElseGet(() -> new ByteArrayInputStream(new byte[0]))) {
                answer = in.readAllBytes(); // already bounded by BoundedHttpClient
            }
        } catch (BoundedHttpClient.ResponseTooLargeException e) {
            throw StsFailures.tooLarge(e, endpoint, "", e);
        } catch (AttemptDeadline.Exceeded e) {
            throw StsFailures.deadline(e, endpoint, "");
        } catch (IrsaException e) { // already says what happened (the session closed under the call)
            throw e;
        } catch (IOException | RuntimeException e) {
            String detail = Redaction.scrub(String.valueOf(e.getMessage()), secret);
            boolean timeout = e instanceof SocketTimeoutException || detail.toLowerCase().contains("timed out");
            throw StsFailures.unreachable(timeout, e.getClass().getSimpleName() + ": " + detail, endpoint, "",
                    StsFailures.safeCause(e, secret));
        }
        return interpret(status, contentType, date, answer, secret);
    }

    private Answer interpret(int status, String contentType, String date, byte[] body, String secret) {
        if (body.length == 0 && status / 100 == 2) {
            throw StsFailures.unparseable(status, "an empty body", endpoint, "", null);
        }
        Map<String, String> doc;
        try {
            doc = body.length == 0 ? Map.of() : leaves(body);
        } catch (XMLStreamException e) {
            if (status / 100 == 2) {
                throw StsFailures.unparseable(status, Redaction.scrub(e.getMessage(), secret), endpoint, "", null);
            }
            throw StsFailures.notAnStsAnswer(status, contentType, body.length, endpoint, "", null);
        }
        String code = doc.get("ErrorResponse/Error/Code");
        if (status / 100 == 2 && (code == null || code.isBlank())) {
            String p = "AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult/";
            String key = doc.get(p + "Credentials/AccessKeyId");
            String secretKey = doc.get(p + "Credentials/SecretAccessKey");
            String token = doc.get(p + "Credentials/SessionToken");
            String expiration = doc.get(p + "Credentials/Expiration");
            if (key == null || secretKey == null || token == null || expiration == null) {
                throw StsFailures.unparseable(status, "an XML document without AssumeRoleWithWebIdentityResult"
                        + " credentials", endpoint, "", null);
            }
            Instant expires;
            try {
                expires = OffsetDateTime.parse(expiration).toInstant();
            } catch (DateTimeParseException e) {
                throw StsFailures.unparseable(status, "Expiration '" + expiration + "' is not an ISO-8601 time",
                        endpoint, "", null);
            }
            return new Issued(new IrsaCredentials(key, secretKey, token, expires, doc.get(p + "AssumedRoleUser/Arn")),
                    ClockSkew.httpDate(date));
        }
        if (code == null || code.isBlank()) {
            throw StsFailures.notAnStsAnswer(status, contentType, body.length, endpoint, "", null);
        }
        String message = doc.getOrDefault("ErrorResponse/Error/Message", "");
        return new StsError(status, code.trim(), Redaction.scrub(message, secret), doc.get("ErrorResponse/RequestId"));
    }

    /** Text of every leaf element by its path of local names ({@code Root/Child/Leaf}); no DTDs, no entities. */
    private static XMLInputFactory xmlFactory() {
        XMLInputFactory f = XMLInputFactory.newDefaultFactory(); // the JDK's, whatever else is on the class path
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return f;
    }

    private static Map<String, String> leaves(byte[] xml) throws XMLStreamException {
        XMLStreamReader r = XML.createXMLStreamReader(new ByteArrayInputStream(xml));
        Map<String, String> out = new HashMap<>();
        StringBuilder path = new StringBuilder();
        StringBuilder text = new StringBuilder();
        try {
            while (r.hasNext()) {
                switch (r.next()) {
                    case XMLStreamConstants.START_ELEMENT -> {
                        if (path.length() > 0) {
                            path.append('/');
                        }
                        path.append(r.getLocalName());
                        text.setLength(0);
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> text.append(r.getText());
                    case XMLStreamConstants.END_ELEMENT -> {
                        out.putIfAbsent(path.toString(), text.toString().trim());
                        int slash = path.lastIndexOf("/");
                        path.setLength(Math.max(slash, 0));
                        text.setLength(0);
                    }
                    default -> { }
                }
            }
        } finally {
            r.close();
        }
        if (out.isEmpty()) {
            throw new XMLStreamException("no XML elements");
        }
        return out;
    }

    private static String encode(Map<String, String> form) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : form.entrySet()) {
            if (b.length() > 0) {
                b.append('&');
            }
            b.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    @Override
    public void close() {
        http.close();
    }
}
