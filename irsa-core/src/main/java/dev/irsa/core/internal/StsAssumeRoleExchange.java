package dev.irsa.core.internal;

import dev.irsa.core.ChainedRoleConfig;
import dev.irsa.core.IrsaConfig;
import dev.irsa.core.IrsaCredentials;
import dev.irsa.core.IrsaException;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.PolicyDescriptorType;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Role chaining: {@code sts:AssumeRole} signed with the source session's credentials. {@link #ready()} asks the
 * source for them without blocking (so its refreshes carry over, and a refresh thread never waits on the source's
 * refresh: with more chained sessions than refresh threads, a blocking wait would starve the source's own refresh);
 * {@link #exchange(int)} then signs with what it got. Blocking; one call per exchange, retried by the same
 * {@link StsRetry} as the web-identity exchange and classified by the same {@link StsFailures}.
 */
public final class StsAssumeRoleExchange implements CredentialExchange {
    private final ChainedRoleConfig target;
    private final IrsaConfig source;
    private final URI endpoint;
    /**
     * Built on the first exchange, on a refresh thread: building an SDK client loads classes and configuration, which
     * must not happen on a caller's thread when a session is taken up again ({@code resolveIdentity} never blocks).
     * Guarded by this.
     */
    private StsClient sts;
    /** Ours to close: the SDK leaves an HTTP client it was given open. Built with {@code sts}; guarded by this. */
    private software.amazon.awssdk.http.SdkHttpClient http;
    private boolean closed;
    private final String sessionName;
    private final Supplier<CompletableFuture<IrsaCredentials>> sourceCredentials;
    private volatile StsRetry retry = StsRetry.standard();
    /** The source's credentials as of the last {@link #ready()}; what the next exchange signs with. */
    private volatile IrsaCredentials signing;

    public StsAssumeRoleExchange(ChainedRoleConfig target, IrsaConfig source,
                                 Supplier<CompletableFuture<IrsaCredentials>> sourceCredentials) {
        this.target = target;
        this.source = source;
        this.sourceCredentials = sourceCredentials;
        this.sessionName = target.roleSessionName().orElse(source.roleSessionName());
        this.endpoint = endpoint(target, source);
    }

    private synchronized StsClient client() {
        if (closed) {
            throw new IrsaException(IrsaException.Kind.CLOSED, null, "The session assuming " + target.roleArn()
                    + " is closed", null);
        }
        if (sts == null) {
            http = BoundedHttpClient.forConfig(source);
            sts = newClient(http);
        }
        return sts;
    }

    private StsClient newClient(software.amazon.awssdk.http.SdkHttpClient http) {
        return StsClient.builder()
                .region(Region.of(target.stsRegion().orElseGet(() -> StsEndpoints.signingRegion(source))))
                .endpointOverride(endpoint)
                .credentialsProvider(() -> {
                    // the source's current credentials if it has them at hand (a retry may come after its refresh),
                    // else those ready() waited for
                    CompletableFuture<IrsaCredentials> now = sourceCredentials.get();
                    IrsaCredentials c = now.isDone() && !now.isCompletedExceptionally() ? now.join() : signing;
                    if (c == null) {
                        throw new IrsaException(IrsaException.Kind.RETRYABLE, null, "No credentials of " + source.roleArn()
                                + " yet to assume " + target.roleArn() + " with", null);
                    }
                    return AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken());
                })
                .httpClient(http)
                .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none()))
                .build();
    }

    /**
     * Where AssumeRole goes: the source session's STS endpoint, or the regional endpoint of the target's
     * {@code stsRegion}; a loopback endpoint (an emulator) stays, whatever the region.
     */
    public static URI endpoint(ChainedRoleConfig target, IrsaConfig source) {
        URI own = source.stsEndpoint();
        return target.stsRegion().filter(r -> !StsEndpoints.isLoopback(own.getHost())).map(StsEndpoints::regional)
                .orElse(own);
    }

    @Override
    public CompletableFuture<?> ready() {
        return sourceCredentials.get().thenAccept(c -> signing = c);
    }

    @Override
    public ExchangeResult exchange(int maxAttempts) {
        int[] calls = {0};
        try {
            return retry.run(maxAttempts, () -> attempt(++calls[0]));
        } catch (SourceUnavailable e) {
            throw e.reason; // the source session has its own retries: not ours to repeat
        }
    }

    /** Test seam: how retries pause. */
    void retry(StsRetry retry) {
        this.retry = retry;
    }

    private ExchangeResult attempt(int calls) {
        try {
            AssumeRoleRequest.Builder b = AssumeRoleRequest.builder().roleArn(target.roleArn().toString())
                    .roleSessionName(sessionName).durationSeconds((int) target.sessionDuration().toSeconds());
            target.externalId().ifPresent(b::externalId);
            target.sessionPolicy().ifPresent(b::policy);
            if (!target.policyArns().isEmpty()) {
                b.policyArns(target.policyArns().stream().map(a -> PolicyDescriptorType.builder().arn(a).build()).toList());
            }
            AssumeRoleResponse r = client().assumeRole(b.build());
            Credentials c = r.credentials();
            return new ExchangeResult(new IrsaCredentials(c.accessKeyId(), c.secretAccessKey(), c.sessionToken(),
                    c.expiration(), r.assumedRoleUser() == null ? null : r.assumedRoleUser().arn()), null, calls,
                    ClockSkew.httpDate(r.sdkHttpResponse() == null ? null
                            : r.sdkHttpResponse().firstMatchingHeader("Date").orElse(null)), target.sessionDuration());
        } catch (StsException e) {
            String code = StsFailures.code(e);
            if (code == null) {
                throw StsFailures.notAnStsAnswer(e, endpoint, context(), null);
            }
            boolean retryable = StsErrorAdvisor.retryable(code, e.statusCode());
            String msg = "STS " + code + " (HTTP " + e.statusCode() + ", request " + e.requestId() + ")" + context() + ": "
                    + Redaction.scrub(e.awsErrorDetails().errorMessage(), null) + ". "
                    + (code.equals("AccessDenied") ? "The target role's trust policy must allow sts:AssumeRole for"
                    + " principal " + source.roleArn() + (target.externalId().isPresent()
                    ? " with this sts:ExternalId" : "") + ", and the source role's permissions policy must allow"
                    + " sts:AssumeRole on " + target.roleArn() + "." : "");
            throw new IrsaException(retryable ? IrsaException.Kind.RETRYABLE : IrsaException.Kind.NON_RECOVERABLE,
                    code, msg, null);
        } catch (SdkClientException e) {
            if (e.getCause() instanceof IrsaException ie) {
                throw new SourceUnavailable(ie); // the source session could not supply credentials
            }
            throw StsFailures.clientFailure(e, endpoint, context(), null);
        }
    }

    private String context() {
        return " assuming " + target.roleArn() + " from " + source.roleArn();
    }

    /** Carries the source session's failure past the retry loop unchanged. */
    private static final class SourceUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient IrsaException reason;

        SourceUnavailable(IrsaException reason) {
            super(null, null, false, false);
            this.reason = reason;
        }
    }

    @Override
    public void close() {
        StsClient built;
        software.amazon.awssdk.http.SdkHttpClient builtHttp;
        synchronized (this) {
            closed = true;
            built = sts;
            builtHttp = http;
        }
        if (built != null) {
            built.close();
        }
        if (builtHttp != null) {
            builtHttp.close();
        }
    }
}
