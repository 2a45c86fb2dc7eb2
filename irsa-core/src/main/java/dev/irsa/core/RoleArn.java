package dev.irsa.core;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IAM role ARN, {@code arn:<partition>:iam::<12-digit account>:role/<optional path/><name>}, in any
 * partition ({@code aws}, {@code aws-cn}, {@code aws-us-gov}, {@code aws-iso}, ...). Immutable.
 *
 * @param partition the partition, e.g. {@code aws}
 * @param accountId the 12-digit account ID
 * @param path the role's path with its trailing slash, e.g. {@code team/}; empty when the role has none
 * @param name the role's name
 * @since 0.1.0
 */
public record RoleArn(String partition, String accountId, String path, String name) {
    private static final Pattern ARN = Pattern.compile(
            "arn:(aws(?:-[a-z]+)*):iam::(\\d{12}):role/((?:[\\w+=,.@-]+/)*)([\\w+=,.@-]{1,64})");

    /**
     * Parses and validates a role ARN.
     *
     * @param arn the ARN to parse; surrounding whitespace is ignored
     * @param source where the value came from (for example {@code AWS_ROLE_ARN}), named in the error
     * @return the parsed role ARN
     * @throws IrsaConfigurationException naming what is wrong and the expected shape
     */
    public static RoleArn parse(String arn, String source) {
        if (arn == null || arn.isBlank()) {
            throw new IrsaConfigurationException("No IAM role ARN is set (" + source + "). On EKS the pod identity"
                    + " webhook sets AWS_ROLE_ARN when the pod's ServiceAccount has the annotation"
                    + " eks.amazonaws.com/role-arn; pods created before the annotation was added must be restarted.");
        }
        String a = arn.trim();
        Matcher m = ARN.matcher(a);
        if (!m.matches()) {
            String hint;
            if (a.contains(":sts::") && a.contains("assumed-role/")) {
                hint = " This is an assumed-role session ARN; use the role's ARN, arn:aws:iam::<account>:role/<name>.";
            } else if (a.matches("arn:[^:]+:iam::\\d*:role/.*") && !a.matches("arn:[^:]+:iam::\\d{12}:role/.*")) {
                hint = " The account ID must be exactly 12 digits.";
            } else if (a.matches("arn:[^:]+:iam::\\d{12}:user/.*")) {
                hint = " This is an IAM user; IRSA assumes a role.";
            } else {
                hint = "";
            }
            throw new IrsaConfigurationException("Malformed IAM role ARN '" + a + "' (" + source + "): expected"
                    + " arn:<partition>:iam::<12-digit account>:role/<name>, for example"
                    + " arn:aws:iam::111122223333:role/my-app." + hint);
        }
        if (a.length() > 2048) {
            throw new IrsaConfigurationException("The IAM role ARN (" + source + ") is longer than 2048 characters");
        }
        return new RoleArn(m.group(1), m.group(2), m.group(3), m.group(4));
    }

    @Override
    public String toString() {
        return "arn:" + partition + ":iam::" + accountId + ":role/" + path + name;
    }
}
