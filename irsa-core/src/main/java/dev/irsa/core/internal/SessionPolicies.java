package dev.irsa.core.internal;

import dev.irsa.core.IrsaConfigurationException;
import java.util.List;

/** STS's limits on the session policy and managed policy ARNs that scope a session down. */
public final class SessionPolicies {
    private SessionPolicies() {}

    /** @param what the session the policy is for, named in the message */
    public static void validate(String policy, List<String> policyArns, String what) {
        if (policy != null && (policy.isBlank() || policy.length() > 2048)) {
            throw new IrsaConfigurationException("The " + what + " policy has " + policy.length() + " characters;"
                    + " STS accepts 1–2048. Shorten it or use managed policy ARNs instead.");
        }
        if (policy != null && !policy.chars().allMatch(c -> c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xFF))) {
            throw new IrsaConfigurationException("The " + what + " policy contains characters STS refuses"
                    + " (only U+0009, U+000A, U+000D and U+0020–U+00FF are allowed).");
        }
        if (policyArns.size() > 10) {
            throw new IrsaConfigurationException(policyArns.size() + " " + what + " policy ARNs were given; STS accepts at most 10.");
        }
        for (String p : policyArns) {
            if (p == null || p.length() < 20 || p.length() > 2048 || !p.startsWith("arn:")) {
                throw new IrsaConfigurationException("Policy ARN '" + p + "' is not an ARN of 20–2048 characters"
                        + " (for example arn:aws:iam::aws:policy/ReadOnlyAccess).");
            }
        }
    }
}
