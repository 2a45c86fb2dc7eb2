package dev.irsa.core.internal;

import dev.irsa.core.IrsaConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/**
 * Reads at most {@link #MAX_BODY_BYTES} of any response, success or error. The SDK reads a whole body into memory
 * before parsing it (error bodies too), and what answers for STS is not always STS: a proxy, a load balancer or a
 * captive portal can stream megabytes of HTML. A body that declares or turns out to be larger is refused with
 * {@link ResponseTooLargeException} (the connection is aborted, not drained); a real STS answer is a few KB.
 * Each call, body included, is also bounded in time by the {@linkplain IrsaConfig#attemptTimeout() attempt deadline}:
 * it runs on the deadline's worker, and when the deadline passes the request and its body are aborted and the call
 * throws {@link AttemptDeadline.Exceeded}, whether or not the abort got through (see {@link AttemptDeadline}).
 * Thread-safe as the delegate is.
 */
final class BoundedHttpClient implements SdkHttpClient {
    /** Far above any STS answer (a few KB even with a long session token), far below trouble. */
    static final int MAX_BODY_BYTES = 1 << 20;

    private final SdkHttpClient delegate;
    private final AttemptDeadline deadline;

    BoundedHttpClient(SdkHttpClient delegate, Duration attemptTimeout) {
        this.delegate = delegate;
        this.deadline = new AttemptDeadline(attemptTimeout);
    }

    /** The small URLConnection client with the configured timeouts, bounded. */
    static SdkHttpClient forConfig(IrsaConfig config) {
        return new BoundedHttpClient(UrlConnectionHttpClient.builder().connectionTimeout(config.connectTimeout())
                .socketTimeout(config.readTimeout()).build(), config.attemptTimeout());
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        ExecutableHttpRequest call = delegate.prepareRequest(request);
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                AtomicReference<AbortableInputStream> body = new AtomicReference<>();
                return deadline.run(armed -> { // a failure once the deadline passed is reported as the cut
                    HttpExecuteResponse response = call.call();
                    armed.answering();
                    response.responseBody().ifPresent(body::set);
                    return bounded(response, armed, call::abort);
                }, () -> {
                    call.abort(); // closes the connection: a read blocked on it fails, once it gets the stream's lock
                    AbortableInputStream in = body.get();
                    if (in != null) {
                        in.abort();
                    }
                });
            }

            @Override
            public void abort() {
                call.abort();
            }
        };
    }

    /** @param drop drops the connection (the URLConnection client's body cannot abort itself: its abort is a no-op) */
    private static HttpExecuteResponse bounded(HttpExecuteResponse response, AttemptDeadline.Armed armed,
            Runnable drop) throws IOException {
        Optional<AbortableInputStream> body = response.responseBody();
        if (body.isEmpty()) {
            return response;
        }
        SdkHttpResponse http = response.httpResponse();
        String contentType = http.firstMatchingHeader("Content-Type").orElse(null);
        long declared = http.firstMatchingHeader("Content-Length").map(BoundedHttpClient::parseLong).orElse(-1L);
        AbortableInputStream in = body.get();
        Runnable dropBody = () -> { // the body's own abort first (a no-op on some clients), then the connection
            in.abort();
            drop.run();
        };
        if (declared > MAX_BODY_BYTES) {
            dropBody.run();
            throw new ResponseTooLargeException(http.statusCode(), contentType, declared);
        }
        byte[] bytes;
        try {
            bytes = armed.guard(in).readNBytes(MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            dropBody.run();
            throw e;
        }
        if (bytes.length > MAX_BODY_BYTES) {
            dropBody.run(); // drop the connection rather than drain the rest
            throw new ResponseTooLargeException(http.statusCode(), contentType, -1);
        }
        in.close();
        return HttpExecuteResponse.builder().response(http)
                .responseBody(AbortableInputStream.create(new ByteArrayInputStream(bytes))).build();
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public String clientName() {
        return delegate.clientName();
    }

    @Override
    public void close() {
        deadline.close();
        delegate.close();
    }

    /** A response body over {@link #MAX_BODY_BYTES}: never an STS answer. Holds no body content. */
    static final class ResponseTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String contentType;

        ResponseTooLargeException(int status, String contentType, long declaredLength) {
            super("HTTP " + status + " response body" + (declaredLength >= 0 ? " of " + declaredLength + " bytes" : "")
                    + " is larger than " + MAX_BODY_BYTES + " bytes" + (contentType == null ? "" : " (" + contentType + ")"));
            this.status = status;
            this.contentType = contentType;
        }

        int status() {
            return status;
        }

        String contentType() {
            return contentType;
        }
    }
}
