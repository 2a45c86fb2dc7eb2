package dev.irsa.core.internal;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.IrsaCredentials;
import dev.irsa.core.IrsaException;
import dev.irsa.core.TokenFile;
import dev.irsa.core.WebIdentityToken;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.PolicyDescriptorType;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * One refresh: read the token file afresh, sanity-check its claims, call STS {@code AssumeRoleWithWebIdentity}
 * (unsigned) and classify failures ({@link StsErrorAdvisor} for STS's error codes, {@link StsFailures} for answers
 * that are not STS's). The call goes through {@link StsQueryClient} (no SDK service client: a faster cold start), or
 * through the user's own {@code StsClient} when one is configured. Either way each call is bounded by the attempt
 * deadline ({@link IrsaConfig#attemptTimeout()}; on the user's client as its {@code apiCallAttemptTimeout}, unless
 * its own is shorter). Retryable errors are retried up to
 * {@code maxAttempts} by {@link StsRetry}; a rejected token is re-read and sent once more. Thread-safe (one refresh
 * at a time is the engine's business); blocking.
 */
public final class StsWebIdentityExchange implements CredentialExchange {
    private static final Logger log = LoggerFactory.getLogger(StsWebIdentityExchange.class);
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    private final IrsaConfig config;
    private final TokenFile tokenFile;
    /** The user's client, or null: then {@link #query} makes the call. */
    private final StsClient sts;
    private final StsQueryClient query;
    /** With the user's client: the attempt deadline applied to each call (ours, or its own if shorter). */
    private final Duration sdkAttemptTimeout;
    private volatile boolean audienceWarned;
    private volatile StsRetry retry = StsRetry.standard();

    public StsWebIdentityExchange(IrsaConfig config) {
        this.config = config;
        this.tokenFile = new TokenFile(config.tokenFile(), config.refreshPolicy().tokenReadRetry());
        this.sts = config.stsClient().orElse(null);
        this.query = sts == null ? new StsQueryClient(config) : null;
        this.sdkAttemptTimeout = sts == null ? null : attemptTimeout(sts, config.attemptTimeout());
    }

    /** Ours, unless the user's client already has a shorter one of its own (theirs then stands). */
    static Duration attemptTimeout(StsClient sts, Duration ours) {
        try {
            return sts.serviceClientConfiguration().overrideConfiguration().apiCallAttemptTimeout()
                    .filter(own -> own.compareTo(ours) < 0).orElse(ours);
        } catch (RuntimeException e) { // a client that does not say (a test double): ours
            return ours;
        }
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
        WebIdentityToken claims = tokenFile.decode(jwt);
        precheck(claims);
        calls[0]++;
        StsQueryClient.Answer answer = sts == null ? query.assumeRoleWithWebIdentity(parameters(jwt), jwt) : viaSdk(jwt);
        if (answer instanceof StsQueryClient.Issued issued) {
            return new ExchangeResult(issued.credentials(), claims, calls[0], issued.serverTime(),
                    config.sessionDuration());
        }
        StsQueryClient.StsError error = (StsQueryClient.StsError) answer;
        if (StsErrorAdvisor.tokenRejected(error.code()) && !tokenReRead[0]) {
            // Not a retry of the same call: the kubelet may just have rotated the token, so read it again now.
            tokenReRead[0] = true;
            log.debug("STS rejected the token ({}); re-reading {} once", error.code(), tokenFile.path());
            return attempt(calls, tokenReRead);
        }
        throw StsErrorAdvisor.explain(error.code(), error.status(), error.message(), error.requestId(), claims, config);
    }

    /** The call through the user's own client, answered in the same terms as {@link StsQueryClient}'s. */
    private StsQueryClient.Answer viaSdk(String jwt) {
        try {
            AssumeRoleWithWebIdentityResponse r = sts.assumeRoleWithWebIdentity(request(jwt));
            Credentials c = r.credentials();
            return new StsQueryClient.Issued(new IrsaCredentials(c.accessKeyId(), c.secretAccessKey(), c.sessionToken(),
                    c.expiration(), r.assumedRoleUser() == null ? null : r.assumedRoleUser().arn()),
                    ClockSkew.httpDate(r.sdkHttpResponse() == null ? null
                            : r.sdkHttpResponse().firstMatchingHeader("Date").orElse(null)));
        } catch (StsException e) {
            String code = StsFailures.code(e);
            if (code == null) {
                throw StsFailures.notAnStsAnswer(e, config.stsEndpoint(), "", jwt);
            }
            return new StsQueryClient.StsError(e.statusCode(), code, Redaction.scrub(e.awsErrorDetails().errorMessage(), jwt),
                    e.requestId());
        } catch (ApiCallAttemptTimeoutException e) {
            throw StsFailures.deadline(sdkAttemptTimeout, null, config.stsEndpoint(), "");
        } catch (SdkClientException e) {
            throw StsFailures.clientFailure(e, config.stsEndpoint(), "", jwt);
        }
    }

    private Map<String, String> parameters(String jwt) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("RoleArn", config.roleArn().toString());
        p.put("RoleSessionName", config.roleSessionName());
        p.put("WebIdentityToken", jwt);
        p.put("DurationSeconds", Long.toString(config.sessionDuration().toSeconds()));
        config.sessionPolicy().ifPresent(policy -> p.put("Policy", policy));
        for (int i = 0; i < config.policyArns().size(); i++) {
            p.put("PolicyArns.member." + (i + 1) + ".arn", config.policyArns().get(i));
        }
        return p;
    }

    private AssumeRoleWithWebIdentityRequest request(String jwt) {
        AssumeRoleWithWebIdentityRequest.Builder b = AssumeRoleWithWebIdentityRequest.builder()
                .roleArn(config.roleArn().toString())
                .roleSessionName(config.roleSessionName())
                .webIdentityToken(jwt)
                .durationSeconds((int) config.sessionDuration().toSeconds())
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(sdkAttemptTimeout));
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
        if (query != null) {
            query.close(); // the user's own client stays theirs to close
        }
    }
}
