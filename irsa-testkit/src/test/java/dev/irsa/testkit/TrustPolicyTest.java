package dev.irsa.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TrustPolicyTest {
    private static final String HP = "oidc.eks.us-west-2.amazonaws.com/id/ABC";
    private static final String PROVIDER = "arn:aws:iam::111122223333:oidc-provider/" + HP;

    private static String policy(String conditionJson) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\""
                + PROVIDER + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":" + conditionJson + "}]}";
    }

    private static boolean allows(String policy, String sub, String aud) {
        return TrustPolicy.parse(policy).evaluate(TrustPolicy.Request.webIdentity("111122223333", HP, sub, aud)).allowed();
    }

    @ParameterizedTest(name = "{0} {1}={2} vs sub={3} -> {4}")
    @CsvSource(delimiter = '|', textBlock = """
            StringEquals              | sub | system:serviceaccount:default:app      | system:serviceaccount:default:app   | true
            StringEquals              | sub | system:serviceaccount:default:app      | system:serviceaccount:default:other | false
            StringEquals              | sub | system:serviceaccount:default:APP      | system:serviceaccount:default:app   | false
            StringEqualsIgnoreCase    | sub | system:serviceaccount:default:APP      | system:serviceaccount:default:app   | true
            StringNotEquals           | sub | system:serviceaccount:default:app      | system:serviceaccount:default:app   | false
            StringNotEquals           | sub | system:serviceaccount:default:app      | system:serviceaccount:default:x     | true
            StringNotEqualsIgnoreCase | sub | system:serviceaccount:default:APP      | system:serviceaccount:default:app   | false
            StringLike                | sub | system:serviceaccount:default:*        | system:serviceaccount:default:app   | true
            StringLike                | sub | system:serviceaccount:default:*        | system:serviceaccount:prod:app      | false
            StringLike                | sub | system:serviceaccount:*:app            | system:serviceaccount:prod:app      | true
            StringLike                | sub | system:serviceaccount:default:ap?      | system:serviceaccount:default:app   | true
            StringLike                | sub | system:serviceaccount:default:ap?      | system:serviceaccount:default:apps  | false
            StringLike                | sub | *                                      | anything                            | true
            StringLike                | sub | system:serviceaccount:default:app      | system:serviceaccount:default:app   | true
            StringNotLike             | sub | system:serviceaccount:kube-system:*    | system:serviceaccount:default:app   | true
            StringNotLike             | sub | system:serviceaccount:kube-system:*    | system:serviceaccount:kube-system:x | false
            StringEqualsIfExists      | sub | system:serviceaccount:default:app      | system:serviceaccount:default:app   | true
            NumericEquals             | sub | 1                                      | 1                                   | false
            """)
    void singleCondition(String op, String key, String value, String sub, boolean expected) {
        String p = policy("{\"" + op + "\":{\"" + HP + ":" + key + "\":\"" + value + "\"}}");
        assertThat(allows(p, sub, "sts.amazonaws.com")).isEqualTo(expected);
    }

    @Test
    void valuesOfOneKeyAreOred() {
        String p = policy("{\"StringEquals\":{\"" + HP + ":sub\":[\"system:serviceaccount:a:x\",\"system:serviceaccount:b:y\"]}}");
        assertThat(allows(p, "system:serviceaccount:b:y", "sts.amazonaws.com")).isTrue();
        assertThat(allows(p, "system:serviceaccount:c:z", "sts.amazonaws.com")).isFalse();
    }

    @Test
    void keysAndOperatorsAreAnded() {
        String p = policy("{\"StringEquals\":{\"" + HP + ":sub\":\"system:serviceaccount:a:x\",\"" + HP
                + ":aud\":\"sts.amazonaws.com\"},\"StringNotLike\":{\"" + HP + ":sub\":\"*:kube-system:*\"}}");
        assertThat(allows(p, "system:serviceaccount:a:x", "sts.amazonaws.com")).isTrue();
        assertThat(allows(p, "system:serviceaccount:a:x", "other")).isFalse();
        assertThat(allows(p, "system:serviceaccount:a:y", "sts.amazonaws.com")).isFalse();
    }

    @Test
    void missingKeys() {
        String eq = policy("{\"StringEquals\":{\"" + HP + ":sub\":\"x\"}}");
        String ne = policy("{\"StringNotEquals\":{\"" + HP + ":sub\":\"x\"}}");
        String ifExists = policy("{\"StringEqualsIfExists\":{\"" + HP + ":sub\":\"x\"}}");
        assertThat(allows(eq, null, "sts.amazonaws.com")).isFalse();
        assertThat(allows(ne, null, "sts.amazonaws.com")).isTrue();
        assertThat(allows(ifExists, null, "sts.amazonaws.com")).isTrue();
    }

    @Test
    void conditionKeyNamesAreCaseInsensitive() {
        String p = policy("{\"StringEquals\":{\"" + HP.toUpperCase() + ":SUB\":\"system:serviceaccount:a:x\"}}");
        assertThat(allows(p, "system:serviceaccount:a:x", "sts.amazonaws.com")).isTrue();
    }

    @Test
    void principalAndActionMustMatch() {
        String wrongProvider = policy("{}").replace(PROVIDER, PROVIDER + "X");
        assertThat(allows(wrongProvider, "s", "a")).isFalse();
        String wrongAction = policy("{}").replace("sts:AssumeRoleWithWebIdentity", "sts:AssumeRole");
        assertThat(allows(wrongAction, "s", "a")).isFalse();
        String wildcardAction = policy("{}").replace("sts:AssumeRoleWithWebIdentity", "sts:*");
        assertThat(allows(wildcardAction, "s", "a")).isTrue();
    }

    @Test
    void explicitDenyWins() {
        String p = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"" + PROVIDER
                + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"},{\"Sid\":\"NoKubeSystem\",\"Effect\":\"Deny\",\"Principal\":\"*\","
                + "\"Action\":\"sts:*\",\"Condition\":{\"StringLike\":{\"" + HP + ":sub\":\"system:serviceaccount:kube-system:*\"}}}]}";
        assertThat(allows(p, "system:serviceaccount:default:a", "sts.amazonaws.com")).isTrue();
        TrustPolicy.Decision d = TrustPolicy.parse(p).evaluate(TrustPolicy.Request.webIdentity("111122223333", HP,
                "system:serviceaccount:kube-system:a", "sts.amazonaws.com"));
        assertThat(d.allowed()).isFalse();
        assertThat(d.reasons()).anyMatch(r -> r.contains("NoKubeSystem") && r.contains("denies"));
    }

    @Test
    void explainsWhichConditionFailed() {
        String p = TrustPolicy.forServiceAccount("111122223333", HP, "default", "app");
        TrustPolicy.Decision d = TrustPolicy.parse(p).evaluate(TrustPolicy.Request.webIdentity("111122223333", HP,
                "system:serviceaccount:default:web", "sts.amazonaws.com"));
        assertThat(d.allowed()).isFalse();
        assertThat(d.reasons()).singleElement().asString()
                .contains("StringEquals on " + HP + ":sub failed")
                .contains("system:serviceaccount:default:web")
                .contains("requires system:serviceaccount:default:app");
    }

    @Test
    void generatesEksctlShapedPolicies() {
        String exact = TrustPolicy.forServiceAccount("111122223333", HP, "default", "app");
        assertThat(exact).contains("\"Federated\":\"" + PROVIDER + "\"").contains("\"StringEquals\"")
                .contains("\"" + HP + ":sub\":\"system:serviceaccount:default:app\"")
                .contains("\"" + HP + ":aud\":\"sts.amazonaws.com\"");
        String wildcard = TrustPolicy.forServiceAccount("111122223333", HP, "default", "*");
        assertThat(wildcard).contains("\"StringLike\":{\"" + HP + ":sub\":\"system:serviceaccount:default:*\"}");
        assertThat(allows(wildcard, "system:serviceaccount:default:any", "sts.amazonaws.com")).isTrue();
    }

    @Test
    void assumeRolePrincipals() {
        String p = "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},"
                + "\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"ext-1\"}}}}";
        TrustPolicy tp = TrustPolicy.parse(p);
        TrustPolicy.Request ok = new TrustPolicy.Request("AWS", "arn:aws:iam::111122223333:role/app", "sts:AssumeRole",
                Map.of("sts:ExternalId", List.of("ext-1")));
        assertThat(tp.evaluate(ok).allowed()).isTrue();
        assertThat(tp.evaluate(new TrustPolicy.Request("AWS", "arn:aws:iam::999999999999:role/app", "sts:AssumeRole",
                Map.of("sts:ExternalId", List.of("ext-1")))).allowed()).isFalse();
        assertThat(tp.evaluate(new TrustPolicy.Request("AWS", "arn:aws:iam::111122223333:role/app", "sts:AssumeRole",
                Map.of())).allowed()).isFalse();
    }

    @Test
    void malformedPoliciesAreRejectedWithAReason() {
        assertThatThrownBy(() -> TrustPolicy.parse("{")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON");
        assertThatThrownBy(() -> TrustPolicy.parse("{\"Version\":\"2012-10-17\"}")).hasMessageContaining("Statement");
        assertThatThrownBy(() -> TrustPolicy.parse("{\"Statement\":[{\"Effect\":\"Maybe\"}]}")).hasMessageContaining("Effect");
    }

    @ParameterizedTest
    @CsvSource({"a*c,abc,true", "a*c,ac,true", "a*c,ab,false", "a?c,abc,true", "a?c,ac,false", "*,'',true",
            "**b,ab,true", "a*b*c,aXbYc,true", "a*b*c,aXcYb,false"})
    void globSemantics(String pattern, String s, boolean expected) {
        assertThat(TrustPolicy.glob(pattern, s)).isEqualTo(expected);
    }
}
