package dev.irsa.core.internal;

import dev.irsa.core.IrsaException;
import java.net.URI;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.stream.XMLStreamException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Classifies what the SDK throws for an STS call when STS's own error code does not say what happened: an
 * answer that was not an STS document (a proxy's HTML page, an empty 502), a body that could not be parsed, a
 * body too large to read, or no answer at all. Both exchanges use it, so their messages and retry decisions
 * agree. Messages never contain the token: SDK text is scrubbed, and the SDK's exception is kept as the cause
 * only when no message in its chain holds the token.
 */
final class StsFailures {
    private static final Pattern RESPONSE_CODE = Pattern.compile("Response Code: (\\d{3})");

    private StsFailures() {}

    /** STS's error code, or {@code null} when the body was not an STS {@code ErrorResponse} (the SDK then has none). */
    static String code(StsException e) {
        AwsErrorDetails d = e.awsErrorDetails();
        String code = d == null ? null : d.errorCode();
        return code == null || code.isBlank() ? null : code;
    }

    /** 5xx and 429 come and go; any other status from something that is not STS will not change by retrying. */
    static boolean transientStatus(int status) {
        return status >= 500 || status == 429;
    }

    /**
     * An HTTP error whose body is not an STS error document (from the SDK): classified by status alone.
     *
     * @param context what was being done, e.g. " assuming arn:...:role/x", or empty
     */
    static IrsaException notAnStsAnswer(StsException e, URI endpoint, String context, String secret) {
        AwsErrorDetails d = e.awsErrorDetails();
        Optional<SdkHttpResponse> http = Optional.ofNullable(d).map(AwsErrorDetails::sdkHttpResponse);
        String contentType = http.flatMap(h -> h.firstMatchingHeader("Content-Type")).orElse(null);
        // Content-Length first: for an empty body the SDK's raw response is a placeholder document, not what was sent.
        long size = http.flatMap(h -> h.firstMatchingHeader("Content-Length")).map(StsFailures::parseLong)
                .orElse(d != null && d.rawResponse() != null ? (long) d.rawResponse().asByteArrayUnsafe().length : -1L);
        return notAnStsAnswer(e.statusCode(), contentType, size, endpoint, context, safeCause(e, secret));
    }

    /** An HTTP error whose body is not an STS error document: classified by status alone. */
    static IrsaException notAnStsAnswer(int status, String contentType, long size, URI endpoint, String context,
                                        Throwable cause) {
        String type = contentType == null ? null : mediaType(contentType);
        String body = size == 0 ? "an empty body" : "a body that was not an STS response"
                + " (" + (type == null ? "no Content-Type" : type) + (size > 0 ? ", " + size + " bytes" : "") + ")";
        boolean retryable = transientStatus(status);
        String msg = "HTTP " + status + " from " + endpoint + context + ", with " + body + (size == 0
                ? ", not an STS response" : "") + ": probably a proxy, load balancer or firewall between this pod and STS"
                + " answered. Check the JVM's proxy settings (https.proxyHost / http.nonProxyHosts; the JVM does not"
                + " read HTTPS_PROXY / NO_PROXY; STS should usually bypass the proxy or be allowed by it), the egress"
                + " path to the STS endpoint (VPC endpoint, security groups, network"
                + " policies) and AWS_ENDPOINT_URL_STS. " + (retryable
                ? "Retried with backoff; it may be transient."
                : status == 407 ? "The proxy wants authentication: a retry will not help until that is configured."
                : "A retry will not help until that is fixed.");
        return new IrsaException(retryable ? IrsaException.Kind.RETRYABLE : IrsaException.Kind.NON_RECOVERABLE, null,
                msg, cause);
    }

    /** Everything else the SDK throws: a body too large, a body that does not parse, a timeout, or no connection. */
    static IrsaException clientFailure(SdkClientException e, URI endpoint, String context, String secret) {
        String detail = Redaction.scrub(e.getMessage(), secret);
        Throwable cause = safeCause(e, secret);
        BoundedHttpClient.ResponseTooLargeException tooLarge = find(e, BoundedHttpClient.ResponseTooLargeException.class);
        if (tooLarge != null) {
            return tooLarge(tooLarge, endpoint, context, cause);
        }
        IrsaException ours = find(e, IrsaException.class);
        if (ours != null) { // already says what happened (a session closed under the call)
            return ours;
        }
        AttemptDeadline.Exceeded late = find(e, AttemptDeadline.Exceeded.class);
        if (late != null) {
            return deadline(late, endpoint, context);
        }
        if (unparseable(e)) {
            Matcher m = RESPONSE_CODE.matcher(String.valueOf(e.getMessage()));
            return unparseable(m.find() ? Integer.parseInt(m.group(1)) : -1, detail, endpoint, context, cause);
        }
        boolean timeout = e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException
                || String.valueOf(e.getMessage()).toLowerCase().contains("timed out");
        return unreachable(timeout, detail, endpoint, context, cause);
    }

    /** A body over the bound: never an STS answer. */
    static IrsaException tooLarge(BoundedHttpClient.ResponseTooLargeException tooLarge, URI endpoint, String context,
                                  Throwable cause) {
        boolean retryable = tooLarge.status() < 400 || transientStatus(tooLarge.status());
        return new IrsaException(retryable ? IrsaException.Kind.RETRYABLE : IrsaException.Kind.NON_RECOVERABLE, null,
                "HTTP " + tooLarge.status() + " from " + endpoint + context + ", with a body larger than "
                + BoundedHttpClient.MAX_BODY_BYTES + " bytes" + (tooLarge.contentType() == null ? ""
                : " (" + mediaType(tooLarge.contentType()) + ")") + ": not an STS response (those are a few KB), so it"
                + " was refused without reading it all. Something between this pod and STS answered: check"
                + " the JVM's proxy settings (https.proxyHost / http.nonProxyHosts, not HTTPS_PROXY), the egress path"
                + " to STS and AWS_ENDPOINT_URL_STS.", cause);
    }

    /** The attempt ran past its deadline (connect, headers and body together) and was aborted. */
    static IrsaException deadline(AttemptDeadline.Exceeded e, URI endpoint, String context) {
        return deadline(e.limit(), e.outcome(), endpoint, context);
    }

    /**
     * The attempt ran past its deadline.
     *
     * @param outcome what happened at the deadline ({@link AttemptDeadline.Exceeded#outcome()}), when known
     */
    static IrsaException deadline(java.time.Duration limit, String outcome, URI endpoint, String context) {
        return new IrsaException(IrsaException.Kind.RETRYABLE, null, "No complete answer from STS at " + endpoint
                + context + " within the attempt deadline of " + AttemptDeadline.millis(limit) + " (attemptTimeout)"
                + (outcome == null ? "" : ": " + outcome) + ". Neither the connect nor the read timeout ended it, so"
                + " something is slowing the answer down: a proxy or TLS-inspecting middlebox between this pod and STS, or"
                + " a congested egress path. Check the JVM's proxy settings (https.proxyHost / http.nonProxyHosts) and the"
                + " egress path to STS (VPC endpoint, NAT). Retried with backoff.", null);
    }

    /** A complete answer whose body could not be parsed: something answered, so the network path exists. */
    static IrsaException unparseable(int status, String detail, URI endpoint, String context, Throwable cause) {
        return new IrsaException(IrsaException.Kind.RETRYABLE, null, (status > 0 ? "HTTP " + status : "An HTTP answer")
                + " from " + endpoint + context + ", but the body could not be parsed as an STS response (" + detail
                + "): it was cut off or is not XML. Something answered, so the network path exists; a proxy, load"
                + " balancer or TLS-inspecting middlebox may be interfering, or the endpoint is not STS. Check"
                + " AWS_ENDPOINT_URL_STS and the JVM's proxy settings (https.proxyHost / http.nonProxyHosts; HTTPS_PROXY"
                + " is not read by the JVM). Retried with backoff.", cause);
    }

    /** No answer at all: a refused or reset connection, or a timeout. */
    static IrsaException unreachable(boolean timeout, String detail, URI endpoint, String context, Throwable cause) {
        return new IrsaException(IrsaException.Kind.RETRYABLE, null, (timeout ? "Timed out calling STS at "
                : "Could not reach STS at ") + endpoint + context + ": " + detail
                + ". Check network egress to the regional STS endpoint (VPC endpoint, proxy, security groups).", cause);
    }

    /** The SDK's unmarshalling failure: a complete HTTP answer whose body is not (all) XML. */
    private static boolean unparseable(SdkClientException e) {
        return find(e, XMLStreamException.class) != null
                || String.valueOf(e.getMessage()).startsWith("Unable to unmarshall response");
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /**
     * The exception itself, unless some message in its chain, or the raw body an SDK service exception keeps (a proxy's
     * page can echo the request, token and all), holds the token: then none (the stack is not worth it).
     */
    static Throwable safeCause(Throwable t, String secret) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = c.getMessage();
            if (m != null && !m.equals(Redaction.scrub(m, secret))) {
                return null;
            }
            if (secret != null && !secret.isEmpty()
                    && c instanceof software.amazon.awssdk.awscore.exception.AwsServiceException s && s.awsErrorDetails() != null
                    && s.awsErrorDetails().rawResponse() != null
                    && s.awsErrorDetails().rawResponse().asUtf8String().contains(secret)) {
                return null;
            }
        }
        return t;
    }

    private static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
