package dev.irsa.cli;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.irsa.core.IrsaConfigurationException;
import dev.irsa.core.RoleArn;
import dev.irsa.core.internal.StsEndpoints;
import dev.irsa.testkit.TrustPolicy;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Prints the IAM trust policy that lets one service account assume a role, as eksctl writes it. */
@Command(name = "trust-policy", mixinStandardHelpOptions = true,
        header = "Prints the IAM trust policy for a service account.",
        description = {"Prints the IAM role trust policy for a service account: the cluster's OIDC provider as the"
                + " federated principal, sts:AssumeRoleWithWebIdentity, and StringEquals on <issuer>:sub and"
                + " <issuer>:aud (StringLike on sub when the service account contains * or ?)."})
final class TrustPolicyCommand implements Callable<Integer> {
    private static final Pattern EKS_ISSUER = Pattern.compile("oidc\\.eks\\.([a-z]{2,4}(?:-[a-z]+)+-\\d{1,2})\\..+");

    @ParentCommand
    IrsaCli cli;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--issuer", required = true, description = "The cluster's OIDC issuer URL (aws eks describe-cluster"
            + " --query cluster.identity.oidc.issuer).")
    String issuer;

    @Option(names = "--account", description = "The 12-digit AWS account ID that owns the role (or give --role-arn).")
    String account;

    @Option(names = "--role-arn", description = "The role's ARN: its account and partition are used.")
    String roleArn;

    @Option(names = "--namespace", required = true, description = "The service account's namespace.")
    String namespace;

    @Option(names = "--service-account", required = true, description = "The service account's name (* or ? for a pattern).")
    String serviceAccount;

    @Option(names = "--audience", defaultValue = "sts.amazonaws.com", description = "Token audience (default ${DEFAULT-VALUE}).")
    String audience;

    @Option(names = "--partition", description = "aws, aws-cn, aws-us-gov, aws-iso*, aws-eusc (default: the --role-arn's,"
            + " else the issuer's region's, else aws).")
    String partition;

    @Override
    public Integer call() throws Exception {
        RoleArn role = null;
        if (roleArn != null) {
            try {
                role = RoleArn.parse(roleArn, "--role-arn");
            } catch (IrsaConfigurationException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            if (account != null && !account.equals(role.accountId())) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--account " + account + " is not the account"
                        + " of --role-arn " + roleArn);
            }
            account = role.accountId();
        }
        if (account == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --account or --role-arn");
        }
        if (!account.matches("\\d{12}")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--account must be a 12-digit AWS account ID, not '"
                    + account + "'");
        }
        URI uri = URI.create(issuer.contains("://") ? issuer : "https://" + issuer);
        if (uri.getHost() == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--issuer must be a URL such as"
                    + " https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE");
        }
        if (!namespace.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--namespace '" + namespace
                    + "' is not a Kubernetes namespace name");
        }
        String hostPath = uri.getAuthority() + (uri.getPath() == null ? "" : uri.getPath().replaceAll("/+$", ""));
        if (serviceAccount.contains("*") || serviceAccount.contains("?")) {
            spec.commandLine().getErr().println("warning: a wildcard service account lets every matching service account in "
                    + namespace + " assume this role; prefer one role per service account.");
        }
        String json = TrustPolicy.forServiceAccount(partition(role, uri.getHost()), account, hostPath, namespace,
                serviceAccount, audience);
        Map<String, Object> parsed = JSONObjectUtils.parse(json);
        cli.terminal().out().println(Json.pretty(parsed));
        return 0;
    }

    /**
     * IAM names the OIDC provider in the role's partition: an explicit --partition, else the role ARN's, else the
     * one of the region in an EKS issuer host (oidc.eks.cn-north-1.amazonaws.com.cn), else aws.
     */
    private String partition(RoleArn role, String issuerHost) {
        if (partition != null) {
            return partition;
        }
        if (role != null) {
            return role.partition();
        }
        Matcher m = EKS_ISSUER.matcher(issuerHost);
        return m.matches() ? StsEndpoints.partitionOf(m.group(1)) : "aws";
    }
}
