package dev.irsa.core.internal;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.IrsaCredentials;
import dev.irsa.core.IrsaException;
import dev.irsa.core.TokenFile;
import dev.irsa.core.WebIdentityToken;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.PolicyDescriptorType;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * One refresh: read the token file afresh, sanity-check its claims, call STS {@code AssumeRoleWithWebIdentity}
 * (unsigned) and classify failures ({@link StsErrorAdvisor} for STS's error codes, {@link StsFailures} for answers
 * that are not STS's). Retryable errors are retried up to {@code maxAttempts} by {@link StsRetry}; a rejected token
 * is re-read and sent once more. Thread-safe (one refresh at a time
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
    private volatile StsRetry retry = StsRetry.standard();

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
                .httpClient(BoundedHttpClient.forConfig(config))
                .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none()))
                .build();
    }

    @Override
    public ExchangeResult exchange(int maxAttempts) {
        int[] calls = {0};
        boolean[] tokenReRead = {false};
        return retry.run(maxAttempts, () -> attempt(calls, tokenReRead));
    }

    /** Test seam: how retries pause. */
    void retry(StsRetry retry) {
        this.retry = retry;
    }

    /** One STS call with a freshly read token; if STS rejects the token, one more with the token read again. */
    private ExchangeResult attempt(int[] calls, boolean[] tokenReRead) {
        String jwt = tokenFile.read();
        WebIdentityToken claims = WebIdentityToken.decode(jwt, tokenFile.path().toString());
        precheck(claims);
        try {
            calls[0]++;
            AssumeRoleWithWebIdentityResponse r = sts.assumeRoleWithWebIdentity(request(jwt));
            Credentials c = r.credentials();
            return new ExchangeResult(new IrsaCredentials(c.accessKeyId(), c.secretAccessKey(), c.sessionToken(),
                    c.expiration(), r.assumedRoleUser() == null ? null : r.assumedRoleUser().arn()), claims, calls[0]);
        } catch (StsException e) {
            String code = StsFailures.code(e);
            if (code == null) {
                throw StsFailures.notAnStsAnswer(e, config.stsEndpoint(), "", jwt);
            }
            if (StsErrorAdvisor.tokenRejected(code) && !tokenReRead[0]) {
                // Not a retry of the same call: the kubelet may just have rotated the token, so read it again now.
                tokenReRead[0] = true;
                log.debug("STS rejected the token ({}); re-reading {} once", code, tokenFile.path());
                return attempt(calls, tokenReRead);
            }
            String message = Redaction.scrub(e.awsErrorDetails().errorMessage(), jwt);
            throw StsErrorAdvisor.explain(code, e.statusCode(), message, e.requestId(), claims, config);
        } catch (SdkClientException e) {
            throw StsFailures.clientFailure(e, config.stsEndpoint(), "", jwt);
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

    @Override
    public void close() {
        if (ownsClient) {
            sts.close();
        }
    }
}
