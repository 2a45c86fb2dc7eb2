package dev.irsa.core.internal;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.IrsaException;
import dev.irsa.core.WebIdentityToken;
import java.util.Set;

/** Classifies STS errors and explains each with its most likely cause and the fix. */
public final class StsErrorAdvisor {
    private static final Set<String> RETRYABLE = Set.of("IDPCommunicationError", "Throttling", "ThrottlingException",
            "RequestLimitExceeded", "InternalFailure", "InternalError", "ServiceUnavailable", "RequestTimeout",
            "RequestTimeoutException", "PriorRequestNotComplete");
    private static final Set<String> TOKEN_REJECTED = Set.of("InvalidIdentityToken", "ExpiredTokenException");

    private StsErrorAdvisor() {}

    /** {@code code} may be null (the body was not an STS error document): then the status alone decides. */
    public static boolean retryable(String code, int status) {
        return (code != null && RETRYABLE.contains(code)) || StsFailures.transientStatus(status);
    }

    /** Errors worth one immediate retry with a freshly read token: the kubelet may have just rotated it. */
    public static boolean tokenRejected(String code) {
        return code != null && TOKEN_REJECTED.contains(code);
    }

    /** Builds the exception a caller sees for an STS error that retries did not clear. */
    public static IrsaException explain(String code, int status, String stsMessage, String requestId,
                                        WebIdentityToken token, IrsaConfig config) {
        String role = config.roleArn().toString();
        String issuerHp = token.issuerHostAndPath().orElse("<issuer>");
        String provider = "arn:" + config.roleArn().partition() + ":iam::" + config.roleArn().accountId()
                + ":oidc-provider/" + issuerHp;
        String sts = "STS " + code + " (HTTP " + status + (requestId != null ? ", request " + requestId : "") + "): "
                + sentence(stsMessage) + " ";
        IrsaException.Kind kind = IrsaException.Kind.NON_RECOVERABLE;
        String advice;
        switch (String.valueOf(code)) {
            case "AccessDenied" -> advice = "The trust policy of " + role + " does not let this token assume it, or the"
                    + " role does not exist (a typo in the ARN gives the same error). The token has sub '"
                    + token.subject() + "' and aud " + token.audiences() + ". Check the trust policy's Principal.Federated"
                    + " is " + provider + ", its Condition '" + issuerHp + ":sub' matches '" + token.subject()
                    + "' exactly (StringEquals: namespace and service account name), and '" + issuerHp + ":aud' is '"
                    + WebIdentityToken.STS_AUDIENCE + "'. A role shared by several service accounts needs each sub"
                    + " listed (or StringLike). `irsa doctor --trust-policy policy.json` shows which condition fails.";
            case "IDPRejectedClaim" -> advice = "The identity provider's claims were rejected for " + token.describe()
                    + ". Check the token's nbf/iat against this machine's clock (skew), and that the OIDC provider"
                    + " registered in IAM is the cluster's issuer " + token.issuer() + ".";
            case "InvalidIdentityToken" -> {
                if (stsMessage.contains("No OpenIDConnect provider")) {
                    advice = "The cluster's OIDC issuer " + token.issuer() + " is not registered as an IAM OIDC provider"
                            + " in account " + config.roleArn().accountId() + ". Create it (eksctl utils"
                            + " associate-iam-oidc-provider --cluster <name> --approve) with client ID "
                            + WebIdentityToken.STS_AUDIENCE + ".";
                } else if (stsMessage.contains("audience")) {
                    advice = "The token's audience " + token.audiences() + " is not among the client IDs of the IAM OIDC"
                            + " provider " + provider + ". Add " + WebIdentityToken.STS_AUDIENCE + " to its client IDs, or"
                            + " project the token for that audience (annotation eks.amazonaws.com/audience).";
                } else {
                    kind = IrsaException.Kind.RETRYABLE;
                    advice = "STS could not validate the token even after re-reading it. If the cluster's signing keys"
                            + " changed recently STS may still be caching the old JWKS; otherwise check the token file"
                            + " holds the projected service-account token for issuer " + token.issuer() + ".";
                }
            }
            case "ExpiredTokenException" -> {
                kind = IrsaException.Kind.TOKEN;
                advice = "The projected token in " + config.tokenFile() + " is expired (exp " + token.expiresAt() + ")"
                        + " even after re-reading it: the kubelet is not rotating it. Check the projected volume is"
                        + " mounted and the node's clock.";
            }
            case "MalformedPolicyDocument" -> advice = "The session policy is not a valid IAM policy document. Fix or"
                    + " remove the session policy (irsa.session-policy / sessionPolicy).";
            case "PackedPolicyTooLarge" -> advice = "The session policy and policy ARNs are too large once packed by STS."
                    + " Shorten the session policy or pass fewer managed policy ARNs.";
            case "RegionDisabledException" -> advice = "STS is not activated in " + config.region().orElse("this region")
                    + " for account " + config.roleArn().accountId() + ". Activate it in IAM > Account settings, or set"
                    + " AWS_REGION to a region where it is active.";
            case "ValidationError" -> advice = "STS refused a parameter. Check the role ARN " + role + ", the session name '"
                    + config.roleSessionName() + "', and that the session duration " + config.sessionDuration().toSeconds()
                    + " s does not exceed the role's MaxSessionDuration.";
            default -> {
                if (retryable(code, status)) {
                    kind = IrsaException.Kind.RETRYABLE;
                    advice = "A transient STS problem; the engine retries with backoff.";
                } else {
                    advice = "Unexpected STS error for role " + role + ".";
                }
            }
        }
        if (code != null && RETRYABLE.contains(code)) {
            kind = IrsaException.Kind.RETRYABLE;
            advice = code.equals("IDPCommunicationError")
                    ? "STS could not reach the cluster's OIDC issuer " + token.issuer() + " to fetch its keys. Usually"
                            + " transient; if it persists, check the issuer's discovery document is publicly reachable."
                    // True before and after expiry: the caller reads it in both states.
                    : "A transient STS problem, retried with backoff; cached credentials are served until they expire.";
        }
        return new IrsaException(kind, code, sts + advice, null);
    }

    /** {@code text} ending with one period: STS's own messages sometimes end with one. */
    static String sentence(String text) {
        String t = text == null ? "" : text.strip();
        return t.isEmpty() ? "(no message)." : t.endsWith(".") ? t : t + ".";
    }
}
