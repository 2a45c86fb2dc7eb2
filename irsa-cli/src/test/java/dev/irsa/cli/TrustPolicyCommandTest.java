package dev.irsa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrustPolicyCommandTest {
    private static final String ISSUER = "https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    private static final String HP = "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

    @Test
    @SuppressWarnings("unchecked")
    void printsTheEksctlShapedPolicy() throws Exception {
        Cli r = Cli.run(Map.of(), "trust-policy", "--issuer", ISSUER, "--account", "111122223333", "--namespace", "shop",
                "--service-account", "cart");
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        Map<String, Object> doc = JSONObjectUtils.parse(r.out());
        assertThat(doc.get("Version")).isEqualTo("2012-10-17");
        Map<String, Object> st = (Map<String, Object>) ((List<Object>) doc.get("Statement")).get(0);
        assertThat(st.get("Effect")).isEqualTo("Allow");
        assertThat(st.get("Action")).isEqualTo("sts:AssumeRoleWithWebIdentity");
        assertThat((Map<String, Object>) st.get("Principal")).containsEntry("Federated",
                "arn:aws:iam::111122223333:oidc-provider/" + HP);
        Map<String, Object> eq = (Map<String, Object>) ((Map<String, Object>) st.get("Condition")).get("StringEquals");
        assertThat(eq).containsEntry(HP + ":sub", "system:serviceaccount:shop:cart").containsEntry(HP + ":aud", "sts.amazonaws.com");
        assertThat(r.out()).contains("\n  \"Statement\": [");
    }

    @Test
    @SuppressWarnings("unchecked")
    void wildcardsUseStringLikeAndWarn() throws Exception {
        Cli r = Cli.run(Map.of(), "trust-policy", "--issuer", ISSUER, "--account", "111122223333", "--namespace", "shop",
                "--service-account", "*");
        assertThat(r.code()).isZero();
        assertThat(r.err()).contains("warning").contains("prefer one role per service account");
        Map<String, Object> st = (Map<String, Object>) ((List<Object>) JSONObjectUtils.parse(r.out()).get("Statement")).get(0);
        Map<String, Object> cond = (Map<String, Object>) st.get("Condition");
        assertThat((Map<String, Object>) cond.get("StringLike")).containsEntry(HP + ":sub", "system:serviceaccount:shop:*");
        assertThat((Map<String, Object>) cond.get("StringEquals")).containsEntry(HP + ":aud", "sts.amazonaws.com");
    }

    @Test
    void badInputIsAUsageError() {
        Cli r = Cli.run(Map.of(), "trust-policy", "--issuer", ISSUER, "--account", "1234", "--namespace", "shop",
                "--service-account", "cart");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("12-digit");
        assertThat(Cli.run(Map.of(), "trust-policy", "--issuer", ISSUER).code()).isEqualTo(2);
    }

    @SuppressWarnings("unchecked")
    private static String federated(Cli r) throws Exception {
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        Map<String, Object> st = (Map<String, Object>) ((List<Object>) JSONObjectUtils.parse(r.out()).get("Statement")).get(0);
        return (String) ((Map<String, Object>) st.get("Principal")).get("Federated");
    }

    @Test
    void thePartitionComesFromTheRoleArnOrTheIssuersRegion() throws Exception {
        String cnIssuer = "https://oidc.eks.cn-north-1.amazonaws.com.cn/id/EXAMPLE";
        assertThat(federated(Cli.run(Map.of(), "trust-policy", "--issuer", cnIssuer, "--account", "111122223333",
                "--namespace", "shop", "--service-account", "cart")))
                .isEqualTo("arn:aws-cn:iam::111122223333:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/EXAMPLE");
        assertThat(federated(Cli.run(Map.of(), "trust-policy", "--issuer", "https://oidc.eks.us-gov-west-1.amazonaws.com/id/G",
                "--role-arn", "arn:aws-us-gov:iam::222233334444:role/app", "--namespace", "shop", "--service-account", "cart")))
                .isEqualTo("arn:aws-us-gov:iam::222233334444:oidc-provider/oidc.eks.us-gov-west-1.amazonaws.com/id/G");
        assertThat(federated(Cli.run(Map.of(), "trust-policy", "--issuer", ISSUER, "--account", "111122223333",
                "--partition", "aws-eusc", "--namespace", "shop", "--service-account", "cart")))
                .startsWith("arn:aws-eusc:iam::111122223333:oidc-provider/");
    }
}
