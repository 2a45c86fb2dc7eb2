package dev.irsa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
    @Test
    void walksTheWholeFlowAndExitsZero() {
        Cli r = Cli.run(Map.of(), "demo", "--credential-lifetime", "4");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("1. The cluster and IAM").contains("oidc-provider/127.0.0.1:")
                .contains("2. The pod and its ServiceAccount").contains("AWS_ROLE_ARN=arn:aws:iam::111122223333:role/app-role")
                .contains("3. The projected service-account token").contains("sub                    system:serviceaccount:default:app")
                .contains("4. STS AssumeRoleWithWebIdentity").contains("secret access key      <redacted>")
                .contains("5. A signed AWS call").contains("GetCallerIdentity      accepted")
                .contains("arn                    arn:aws:sts::111122223333:assumed-role/app-role/irsa-demo")
                .contains("6. Token rotation and the background refresh").contains("refreshed              in the background")
                .contains("token sent             the rotated one")
                .contains("7. Close").contains("all irsa threads stopped")
                .contains("Done.");
        assertThat(r.out()).as("no JWT, no escape codes when not a terminal")
                .doesNotContainPattern("eyJ[\\w-]{10,}\\.").doesNotContain("\u001b[");
    }

    @Test
    void podIdentityWalksTheSameStoryAndExitsZero() {
        Cli r = Cli.run(Map.of(), "demo", "--pod-identity", "--credential-lifetime", "4");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("irsa demo --pod-identity - EKS Pod Identity")
                .contains("1. The cluster, the role and the Pod Identity association")
                .contains("association            cluster test-cluster, namespace default, service account app"
                        + " -> arn:aws:iam::111122223333:role/app-role")
                .contains("trust policy allows    Service pods.eks.amazonaws.com")
                .contains("2. The pod and its ServiceAccount")
                .containsPattern("AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127\\.0\\.0\\.1:\\d+/v1/credentials")
                .contains("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=")
                .contains("automatic choice       pod-identity")
                .contains("3. The projected service-account token").contains("aud                    [pods.eks.amazonaws.com]")
                .contains("sub                    system:serviceaccount:default:app")
                .contains("4. The Pod Identity agent call").contains("answer                 HTTP 200 Success")
                .contains("source                 pod-identity")
                .contains("secret access key      <redacted>").contains("account                111122223333")
                .contains("5. A signed AWS call").contains("GetCallerIdentity      accepted")
                .contains("arn                    arn:aws:sts::111122223333:assumed-role/app-role/eks-test-cluster-")
                .contains("6. Token rotation and the background refresh").contains("refreshed              in the background")
                .contains("token sent             the rotated one")
                .contains("0 AssumeRoleWithWebIdentity")
                .contains("7. Close").contains("all irsa threads stopped")
                .contains("Done.");
        assertThat(r.out()).as("no JWT, no escape codes when not a terminal")
                .doesNotContainPattern("eyJ[\\w-]{10,}\\.").doesNotContain("\u001b[");
        assertThat(r.out()).doesNotContain("AWS_ROLE_ARN=");
    }

    @Test
    void helpOnEveryCommand() {
        for (String cmd : new String[] {"demo", "doctor", "trust-policy"}) {
            Cli r = Cli.run(Map.of(), cmd, "--help");
            assertThat(r.code()).isZero();
            assertThat(r.out()).contains("Usage: irsa " + cmd);
        }
        assertThat(Cli.run(Map.of(), "--help").out()).contains("demo").contains("doctor").contains("trust-policy");
        assertThat(Cli.run(Map.of(), "nonsense").code()).isEqualTo(2);
    }
}
