package dev.irsa.kafka.internal;

import dev.irsa.core.ChainedRoleConfig;
import dev.irsa.core.IrsaConfigurationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.security.auth.login.AppConfigurationEntry;

/**
 * The options of the {@code sasl.jaas.config} line, read as aws-msk-iam-auth's {@code MSKCredentialProvider}
 * (2.3.x) reads them, so that a client moving from AWS's callback handlers to ours keeps its principal. Honoured:
 * {@code awsRoleArn} (assumed with {@code sts:AssumeRole} from the pod's credentials, a chained role),
 * {@code awsRoleSessionName} (default {@code aws-msk-iam-auth}, as AWS's), {@code awsStsRegion} (that region's STS;
 * without it the pod's own STS endpoint, where AWS's would use the global one), {@code awsRoleExternalId} and
 * {@code awsDebugCreds}; for OAUTHBEARER also our {@code region}. Every other option is refused with the reason,
 * never ignored: an option that changes the identity and is silently dropped signs as the wrong principal.
 * Immutable.
 *
 * @param roleArn the role to assume from the pod's credentials, or null to sign with those
 * @param roleSessionName the chained role's session name (only with {@code roleArn})
 * @param stsRegion the region whose STS assumes {@code roleArn}, or null for the pod's STS endpoint
 * @param externalId the external ID sent with AssumeRole, or null
 * @param debugCreds whether to log the principal signed as, once per credentials
 * @param region the OAUTHBEARER token's region, or null
 */
public record MskJaasOptions(String roleArn, String roleSessionName, String stsRegion, String externalId,
                             boolean debugCreds, String region) {
    /** aws-msk-iam-auth's default session name for {@code awsRoleArn}. */
    public static final String DEFAULT_SESSION_NAME = "aws-msk-iam-auth";
    static final String ROLE_ARN = "awsRoleArn";
    static final String SESSION_NAME = "awsRoleSessionName";
    static final String STS_REGION = "awsStsRegion";
    static final String EXTERNAL_ID = "awsRoleExternalId";
    static final String DEBUG_CREDS = "awsDebugCreds";
    static final String REGION = "region";
    private static final List<String> SUPPORTED = List.of(ROLE_ARN, SESSION_NAME, STS_REGION, EXTERNAL_ID, DEBUG_CREDS);

    /**
     * Reads the options of {@code entries} (Kafka hands over the one entry of {@code sasl.jaas.config}).
     *
     * @param entries the JAAS entries Kafka passes to {@code configure}
     * @param oauthBearer whether the mechanism is OAUTHBEARER (which also takes {@code region})
     * @return the options
     * @throws IllegalArgumentException for an option irsa-kafka does not honour, or a value it cannot use: the
     *                                  message names the option, why, and what to do instead (never its value
     *                                  when that could be a secret)
     */
    public static MskJaasOptions parse(List<AppConfigurationEntry> entries, boolean oauthBearer) {
        Map<String, String> o = new LinkedHashMap<>();
        for (AppConfigurationEntry e : entries == null ? List.<AppConfigurationEntry>of() : entries) {
            e.getOptions().forEach((k, v) -> o.put(k, v == null ? "" : v.toString().trim()));
        }
        for (String key : o.keySet()) {
            refusal(key, o.get(key), oauthBearer).ifPresent(why -> {
                throw new IllegalArgumentException("The option " + key + " in sasl.jaas.config is not supported by"
                        + " irsa-kafka: " + why);
            });
        }
        String roleArn = blankToNull(o.get(ROLE_ARN));
        if (roleArn == null) {
            for (String dependent : List.of(SESSION_NAME, STS_REGION, EXTERNAL_ID)) {
                if (o.containsKey(dependent)) {
                    // AWS's handler ignores these without awsRoleArn; here they would be ignored silently too
                    throw new IllegalArgumentException("The option " + dependent + " in sasl.jaas.config applies only"
                            + " with awsRoleArn (the role to assume), which is not set: add awsRoleArn=\"arn:aws:iam::"
                            + "<account>:role/<name>\", or remove " + dependent + ".");
                }
            }
        }
        if ("aws-global".equalsIgnoreCase(o.get(STS_REGION))) {
            throw new IllegalArgumentException("The option awsStsRegion=\"aws-global\" in sasl.jaas.config asks for STS's"
                    + " global endpoint, which irsa-java does not use (regional endpoints are AWS's recommendation and"
                    + " issue tokens valid in every region). Remove awsStsRegion to assume the role at the pod's own"
                    + " STS endpoint, or name a region.");
        }
        boolean debug = false;
        if (o.containsKey(DEBUG_CREDS)) {
            String d = o.get(DEBUG_CREDS).toLowerCase(Locale.ROOT);
            if (!d.equals("true") && !d.equals("false")) {
                throw new IllegalArgumentException("The option awsDebugCreds in sasl.jaas.config must be \"true\" or"
                        + " \"false\", not \"" + o.get(DEBUG_CREDS) + "\".");
            }
            debug = d.equals("true");
        }
        String session = roleArn == null ? null : Optional.ofNullable(blankToNull(o.get(SESSION_NAME)))
                .orElse(DEFAULT_SESSION_NAME);
        MskJaasOptions options = new MskJaasOptions(roleArn, session, blankToNull(o.get(STS_REGION)),
                o.get(EXTERNAL_ID), debug, blankToNull(o.get(REGION)));
        options.chainedRole(); // validates the role, session name, region and external ID now, in configure
        return options;
    }

    /** Why {@code key} is refused, or empty when it is honoured. */
    private static Optional<String> refusal(String key, String value, boolean oauthBearer) {
        if (SUPPORTED.contains(key) || oauthBearer && key.equals(REGION)) {
            return Optional.empty();
        }
        return Optional.of(switch (key) {
            case "awsProfileName" -> "irsa-kafka signs with the pod's IRSA or EKS Pod Identity credentials, not with"
                    + " those of an AWS profile. Remove awsProfileName; to sign as another role, set awsRoleArn (assumed"
                    + " from the pod's role); to sign with a profile, use aws-msk-iam-auth's own"
                    + " software.amazon.msk.auth.iam.IAMClientCallbackHandler.";
            case "awsRoleAccessKeyId", "awsRoleSecretAccessKey", "awsRoleSessionToken" -> "irsa-kafka assumes"
                    + " awsRoleArn with the pod's own IRSA or EKS Pod Identity credentials, never with keys written in"
                    + " the client's configuration (the long-lived secrets IRSA exists to remove). Remove"
                    + " awsRoleAccessKeyId, awsRoleSecretAccessKey and awsRoleSessionToken, and let the target role's"
                    + " trust policy allow sts:AssumeRole for the pod's role.";
            case "awsMaxRetries", "awsMaxBackOffTimeMs" -> "AWS's handler retries loading credentials on Kafka's"
                    + " thread with these; irsa-kafka never loads credentials there: the session refreshes them in the"
                    + " background ahead of expiry and retries failures with its own backoff (RefreshPolicy), so there"
                    + " is nothing for this option to tune. Remove it.";
            case "awsShouldUseFips" -> value.equalsIgnoreCase("false") ? null : "irsa-kafka does not pick a FIPS STS"
                    + " endpoint from the JAAS line. Set AWS_ENDPOINT_URL_STS (or aws.endpointUrlSts) to the FIPS"
                    + " endpoint (https://sts-fips.<region>.amazonaws.com), remove awsStsRegion so that the role is"
                    + " assumed there too, and remove awsShouldUseFips.";
            case REGION -> "region names the token's region for OAUTHBEARER only; with AWS_MSK_IAM the region comes"
                    + " from the broker's host name or AWS_REGION. Remove it.";
            default -> "it is not one of the options irsa-kafka honours (" + String.join(", ", SUPPORTED)
                    + (oauthBearer ? ", region" : "") + "), and an option ignored could sign as another principal"
                    + " than meant. Remove it, or check its spelling.";
        }).filter(why -> why != null);
    }

    /**
     * The role to assume, as configured.
     *
     * @return the chained role, or null when {@code awsRoleArn} is not set
     * @throws IllegalArgumentException when the role ARN, session name, region or external ID is not valid
     */
    public ChainedRoleConfig chainedRole() {
        if (roleArn == null) {
            return null;
        }
        try {
            return ChainedRoleConfig.builder(roleArn).roleSessionName(roleSessionName).stsRegion(stsRegion)
                    .externalId(externalId).build();
        } catch (IrsaConfigurationException e) {
            throw new IllegalArgumentException("sasl.jaas.config (awsRoleArn, awsRoleSessionName, awsStsRegion,"
                    + " awsRoleExternalId): " + e.getMessage(), e);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Override
    public String toString() {
        return "MskJaasOptions[roleArn=" + roleArn + ", session=" + roleSessionName + ", stsRegion=" + stsRegion
                + ", externalId=" + (externalId == null ? "none" : "set") + ", debugCreds=" + debugCreds + ", region="
                + region + "]";
    }
}
