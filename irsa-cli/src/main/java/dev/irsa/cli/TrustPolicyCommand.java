package dev.irsa.cli;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.irsa.testkit.TrustPolicy;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Prints the IAM trust policy that lets one service account assume a role, as eksctl writes it. */
@Command(name = "trust-policy", mixinStandardHelpOptions = true,
        description = {"Prints the IAM role trust policy for a service account: the cluster's OIDC provider as the",
                "federated principal, sts:AssumeRoleWithWebIdentity, and StringEquals on <issuer>:sub and <issuer>:aud",
                "(StringLike on sub when the service account contains * or ?)."})
final class TrustPolicyCommand implements Callable<Integer> {
    @ParentCommand
    IrsaCli cli;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--issuer", required = true, description = "The cluster's OIDC issuer URL (aws eks describe-cluster"
            + " --query cluster.identity.oidc.issuer).")
    String issuer;

    @Option(names = "--account", required = true, description = "The 12-digit AWS account ID that owns the role.")
    String account;

    @Option(names = "--namespace", required = true, description = "The service account's namespace.")
    String namespace;

    @Option(names = "--service-account", required = true, description = "The service account's name (* or ? for a pattern).")
    String serviceAccount;

    @Option(names = "--audience", defaultValue = "sts.amazonaws.com", description = "Token audience (default ${DEFAULT-VALUE}).")
    String audience;

    @Option(names = "--partition", defaultValue = "aws", description = "aws, aws-cn, aws-us-gov... (default ${DEFAULT-VALUE}).")
    String partition;

    @Override
    public Integer call() throws Exception {
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
        String json = TrustPolicy.forServiceAccount(partition, account, hostPath, namespace, serviceAccount, audience);
        Map<String, Object> parsed = JSONObjectUtils.parse(json);
        cli.terminal().out().println(Json.pretty(parsed));
        return 0;
    }
}
