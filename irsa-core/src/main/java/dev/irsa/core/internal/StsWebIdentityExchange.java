package dev.irsa.core.internal;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.IrsaCredentials;
import dev.irsa.core.IrsaException;
import dev.irsa.core.TokenFile;
import dev.irsa.core.WebIdentityToken;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.PolicyDescriptorType;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * One refresh: read the token file afresh, sanity-check its claims, call STS {@code AssumeRoleWithWebIdentity}
 * (unsigned) and classify failures. Retryable errors are retried up to {@code maxAttempts} with exponential
 * backoff and full jitter; a rejected token is re-read and sent once more. Thread-safe (one refresh at a time
 * is the engine's business); blocking.
 */
public final class StsWebIdentityExchange implements CredentialExchange {
    private static final Logger log = LoggerFactory.getLogger(StsWebIdentityExchange.class);
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    private final IrsaConfig config;
    private final TokenFile tokenFile;
    private final StsClient sts;
    private final boolean ownsClient;
    private volatile boolean audienceWarned;

    public StsWebIdentityExchange(IrsaConfig config) {
        this.config = config;
        this.tokenFile = new TokenFile(config.tokenFile(), config.refreshPolicy().tokenReadRetry());
        this.ownsClient = config.stsClient().isEmpty();
        this.sts = config.stsClient().orElseGet(() -> buildClient(config));
    }

    /** Our own client: anonymous (the call is unsigned), bounded timeouts, SDK retries off (we retry ourselves). */
    static StsClient buildClient(IrsaConfig config) {
        return StsClient.builder()
                .region(Region.of(config.region().orElse("us-east-1")))
                .endpointOverride(config.stsEndpoint())
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(config.connectTimeout())
                        .socketTimeout(config.readTimeout())
                        .build())
                .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none()))
                .build();
    }

    @Override
    public ExchangeResult exchange(int maxAttempts) {
        int calls = 0;
        boolean tokenReRead = false;
        int retryableFailures = 0;
        while (true) {
            String jwt = tokenFile.read();
            WebIdentityToken claims = WebIdentityToken.decode(jwt, tokenFile.path().toString());
            precheck(claims);
            try {
                calls++;
                AssumeRoleWithWebIdentityResponse r = sts.assumeRoleWithWebIdentity(request(jwt));
                Credentials c = r.credentials();
                return new ExchangeResult(new IrsaCredentials(c.accessKeyId(), c.secretAccessKey(), c.sessionToken(),
                        c.expiration(), r.assumedRoleUser() == null ? null : r.assumedRoleUser().arn()), claims, calls);
            } catch (StsException e) {
                String code = e.awsErrorDetails() == null ? "Unknown" : e.awsErrorDetails().errorCode();
                String message = Redaction.scrub(e.awsErrorDetails() == null ? e.getMessage()
                        : e.awsErrorDetails().errorMessage(), jwt);
                if (StsErrorAdvisor.tokenRejected(code) && !tokenReRead) {
                    tokenReRead = true;
                    log.debug("STS rejected the token ({}); re-reading {} once", code, tokenFile.path());
                    continue;
                }
                IrsaException mapped = StsErrorAdvisor.explain(code, e.statusCode(), message, e.requestId(), claims, config);
                if (mapped.kind() == IrsaException.Kind.RETRYABLE && ++retryableFailures < maxAttempts) {
                    pause(retryableFailures);
                    continue;
                }
                throw mapped;
            } catch (SdkClientException e) {
                if (++retryableFailures < maxAttempts) {
                    pause(retryableFailures);
                    continue;
                }
                throw ioFailure(e, jwt);
            }
        }
    }

    private AssumeRoleWithWebIdentityRequest request(String jwt) {
        AssumeRoleWithWebIdentityRequest.Builder b = AssumeRoleWithWebIdentityRequest.builder()
                .roleArn(config.roleArn().toString())
                .roleSessionName(config.roleSessionName())
                .webIdentityToken(jwt)
                .durationSeconds((int) config.sessionDuration().toSeconds());
        config.sessionPolicy().ifPresent(b::policy);
        if (!config.policyArns().isEmpty()) {
            b.policyArns(config.policyArns().stream().map(a -> PolicyDescriptorType.builder().arn(a).build()).toList());
        }
        return b.build();
    }

    /** Explains token problems before STS does. */
    private void precheck(WebIdentityToken t) {
        Instant now = config.clock().instant();
        if (t.expiresAt() != null && now.minus(CLOCK_SKEW).isAfter(t.expiresAt())) {
            throw new IrsaException(IrsaException.Kind.TOKEN, null, "The web identity token in " + tokenFile.path()
                    + " expired at " + t.expiresAt() + " (now " + now + "): the kubelet has not rotated it. Check the"
                    + " projected volume is still mounted, and the node's clock.", null);
        }
        if (t.notBefore() != null && now.plus(CLOCK_SKEW).isBefore(t.notBefore())) {
            throw new IrsaException(IrsaException.Kind.TOKEN, null, "The web identity token in " + tokenFile.path()
                    + " is not valid before " + t.notBefore() + " (now " + now + "): this machine's clock is probably"
                    + " behind. Check NTP on the node.", null);
        }
        if (!t.hasStsAudience() && !audienceWarned) {
            audienceWarned = true;
            log.warn("The web identity token in {} has audience {}, not {}: STS accepts it only if the IAM OIDC provider"
                    + " lists that audience as a client ID.", tokenFile.path(), t.audiences(), WebIdentityToken.STS_AUDIENCE);
        }
    }

    private IrsaException ioFailure(SdkClientException e, String jwt) {
        boolean timeout = e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException
                || String.valueOf(e.getMessage()).toLowerCase().contains("timed out");
        return new IrsaException(IrsaException.Kind.RETRYABLE, null, (timeout ? "Timed out calling STS at "
                : "Could not reach STS at ") + config.stsEndpoint() + ": " + Redaction.scrub(e.getMessage(), jwt)
                + ". Check network egress to the regional STS endpoint (VPC endpoint, proxy, security groups).", null);
    }

    private static void pause(int failures) {
        long cap = Math.min(1000, 100L << Math.min(failures - 1, 10));
        try {
            // full jitter
            Thread.sleep(ThreadLocalRandom.current().nextLong(10, cap + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IrsaException(IrsaException.Kind.TIMEOUT, "Interrupted while retrying STS");
        }
    }

    @Override
    public void close() {
        if (ownsClient) {
            sts.close();
        }
    }
}
