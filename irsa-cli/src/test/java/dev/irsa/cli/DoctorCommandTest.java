package dev.irsa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.OidcIssuer;
import dev.irsa.testkit.TrustPolicy;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Each doctor check, passing and failing, against the emulator. */
class DoctorCommandTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    @TempDir
    Path tmp;

    /** Runs doctor --json and returns check name -> [status, message]; {@code expectedExit} -1 accepts any. */
    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> doctor(Map<String, String> env, int expectedExit, String... extra) throws Exception {
        String[] args = new String[extra.length + 2];
        args[0] = "doctor";
        args[1] = "--json";
        System.arraycopy(extra, 0, args, 2, extra.length);
        Cli r = Cli.run(env, args);
        if (expectedExit >= 0) {
            assertThat(r.code()).as(r.out() + r.err()).isEqualTo(expectedExit);
        }
        Map<String, Object> doc = JSONObjectUtils.parse(r.out());
        Map<String, List<String>> checks = new LinkedHashMap<>();
        for (Object o : (List<Object>) doc.get("checks")) {
            Map<String, Object> c = (Map<String, Object>) o;
            assertThat(c.get("status")).isIn("PASS", "WARN", "FAIL");
            checks.put((String) c.get("name"), List.of((String) c.get("status"), (String) c.get("message")));
        }
        assertThat(r.out()).doesNotContainPattern("eyJ[\\w-]{10,}\\.");
        return checks;
    }

    private static Map<String, String> env(IrsaEnvironment e, Consumer<Map<String, String>> change) {
        Map<String, String> m = new HashMap<>(e.podEnvironment());
        change.accept(m);
        return m;
    }

    @Test
    void aHealthyPodPassesEveryCheck(IrsaEnvironment env) throws Exception {
        Map<String, List<String>> c = doctor(env.podEnvironment(), 0);
        assertThat(c.keySet()).containsExactly("source", "environment", "role-arn", "token-file", "token-jwt", "token-expiry",
                "token-audience", "token-subject", "session-name", "region", "sts-assume-role", "sts-caller-identity", "clock");
        c.forEach((name, v) -> assertThat(v.get(0)).as(name + ": " + v.get(1)).isEqualTo("PASS"));
        assertThat(c.get("sts-caller-identity").get(1)).contains("arn:aws:sts::111122223333:assumed-role/app-role/");
        assertThat(c.get("region").get(1)).contains("us-west-2").contains(env.stsEndpoint().toString());
        assertThat(c.get("token-subject").get(1)).contains("namespace default, service account app");
        assertThat(c.get("source").get(1)).isEqualTo("web-identity (IRSA): AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are set");
    }

    @Test
    void tableOutputForPeople(IrsaEnvironment env) {
        Cli r = Cli.run(env.podEnvironment(), "doctor");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("CHECK").contains("sts-assume-role      PASS").contains("IRSA looks healthy.");
    }

    @Test
    void missingVariables() throws Exception {
        Map<String, List<String>> c = doctor(Map.of("AWS_REGION", "us-west-2"), 1, "--offline");
        assertThat(c.get("environment")).containsExactly("FAIL", c.get("environment").get(1));
        assertThat(c.get("environment").get(1)).contains("AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE not set")
                .contains("eks.amazonaws.com/role-arn");
        assertThat(c.get("source")).containsExactly("FAIL", "none: neither IRSA (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE)"
                + " nor EKS Pod Identity (AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) is"
                + " configured. Checking IRSA.");
    }

    @Test
    void malformedRoleArn(IrsaEnvironment env) throws Exception {
        Map<String, List<String>> c = doctor(env(env, m -> m.put("AWS_ROLE_ARN", "arn:aws:iam::123:role/x")), 1);
        assertThat(c.get("role-arn").get(0)).isEqualTo("FAIL");
        assertThat(c.get("role-arn").get(1)).contains("12 digits");
        assertThat(c.get("sts-assume-role").get(1)).contains("not attempted");
    }

    @Test
    void unreadableOrMissingToken(IrsaEnvironment env) throws Exception {
        Map<String, List<String>> c = doctor(env(env, m -> m.put("AWS_WEB_IDENTITY_TOKEN_FILE", tmp.resolve("nope").toString())), 1);
        assertThat(c.get("token-file")).first().isEqualTo("FAIL");
        assertThat(c.get("token-file").get(1)).contains("does not exist");
    }

    @Test
    void notAJwt(IrsaEnvironment env) throws Exception {
        Path f = Files.writeString(tmp.resolve("token"), "hello");
        Map<String, List<String>> c = doctor(env(env, m -> m.put("AWS_WEB_IDENTITY_TOKEN_FILE", f.toString())), 1);
        assertThat(c.get("token-jwt")).first().isEqualTo("FAIL");
    }

    @Test
    void expiredToken(IrsaEnvironment env) throws Exception {
        Path f = Files.writeString(tmp.resolve("token"), env.token().expired().sign());
        Map<String, List<String>> c = doctor(env(env, m -> m.put("AWS_WEB_IDENTITY_TOKEN_FILE", f.toString())), 1);
        assertThat(c.get("token-expiry").get(0)).isEqualTo("FAIL");
        assertThat(c.get("token-expiry").get(1)).contains("expired at").contains("not rotated");
    }

    @Test
    void wrongAudienceWarnsAndStsRefuses(IrsaEnvironment env) throws Exception {
        Path f = Files.writeString(tmp.resolve("token"), env.token().audience("vault").sign());
        Map<String, List<String>> c = doctor(env(env, m -> m.put("AWS_WEB_IDENTITY_TOKEN_FILE", f.toString())), 1);
        assertThat(c.get("token-audience").get(0)).isEqualTo("WARN");
        assertThat(c.get("sts-assume-role").get(0)).isEqualTo("FAIL");
        assertThat(c.get("sts-assume-role").get(1)).contains("client IDs");
    }

    @Test
    void subjectThatIsNotAServiceAccount(IrsaEnvironment env) throws Exception {
        Path f = Files.writeString(tmp.resolve("token"), env.token().subject("user@example.com").sign());
        Map<String, List<String>> c = doctor(env(env, m -> m.put("AWS_WEB_IDENTITY_TOKEN_FILE", f.toString())), 1, "--offline");
        assertThat(c.get("token-subject").get(0)).isEqualTo("FAIL");
    }

    @Test
    void noRegion(IrsaEnvironment env) throws Exception {
        Map<String, List<String>> c = doctor(env(env, m -> {
            m.remove("AWS_REGION");
            m.remove("AWS_DEFAULT_REGION");
            m.remove("AWS_ENDPOINT_URL_STS");
        }), 1);
        assertThat(c.get("region").get(0)).isEqualTo("FAIL");
        assertThat(c.get("region").get(1)).contains("AWS_REGION");
    }

    @Test
    void invalidSessionName(IrsaEnvironment env) throws Exception {
        Map<String, List<String>> c = doctor(env.podEnvironment(), 1, "--session-name", "bad name");
        assertThat(c.get("session-name").get(0)).isEqualTo("FAIL");
    }

    @Test
    void clockSkewFromTheToken(IrsaEnvironment env) throws Exception {
        try (OidcIssuer ahead = OidcIssuer.builder().clock(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(30))).start()) {
            Path f = Files.writeString(tmp.resolve("token"), ahead.token("default", "app").sign());
            Map<String, List<String>> c = doctor(env(env, m -> m.put("AWS_WEB_IDENTITY_TOKEN_FILE", f.toString())), 1, "--offline");
            assertThat(c.get("clock").get(0)).isEqualTo("FAIL");
            assertThat(c.get("clock").get(1)).contains("clock is behind");
        }
    }

    @Test
    void stsRefusesTheRole(IrsaEnvironment env) throws Exception {
        Map<String, List<String>> c = doctor(env(env, m -> m.put("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/other")), 1);
        assertThat(c.get("sts-assume-role").get(0)).isEqualTo("FAIL");
        assertThat(c.get("sts-assume-role").get(1)).contains("AccessDenied").contains("trust policy");
    }

    @Test
    void theAccessDeniedExplanationIsPrintedOnce(IrsaEnvironment env) {
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        Cli r;
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            r = Cli.run(env(env, m -> m.put("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/other")), "doctor");
        } finally {
            System.setErr(stderr);
        }
        String everything = r.out() + r.err() + captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("sts-assume-role      FAIL");
        assertThat(everything.split("does not let this token assume it", -1)).as(everything).hasSize(2);
    }

    @Test
    void issuedCredentialsThatCannotSignACall(IrsaEnvironment env) throws Exception {
        env.sts().faults().failAlways(dev.irsa.testkit.Fault.INTERNAL_ERROR).onlyFor("GetCallerIdentity");
        Map<String, List<String>> c = doctor(env.podEnvironment(), 1);
        assertThat(c.get("sts-assume-role").get(0)).isEqualTo("PASS");
        assertThat(c.get("sts-caller-identity").get(0)).isEqualTo("FAIL");
        assertThat(c.get("sts-caller-identity").get(1)).contains("GetCallerIdentity with the issued credentials failed");
    }

    @Test
    void trustPolicyEvaluatedOfflineSaysWhichConditionFails(IrsaEnvironment env) throws Exception {
        Path good = Files.writeString(tmp.resolve("good.json"),
                TrustPolicy.forServiceAccount("111122223333", env.issuer().hostAndPath(), "default", "app"));
        Map<String, List<String>> ok = doctor(env.podEnvironment(), 0, "--offline", "--trust-policy", good.toString());
        assertThat(ok.get("trust-policy").get(0)).isEqualTo("PASS");

        Path bad = Files.writeString(tmp.resolve("bad.json"),
                TrustPolicy.forServiceAccount("111122223333", env.issuer().hostAndPath(), "default", "web"));
        Map<String, List<String>> no = doctor(env.podEnvironment(), 1, "--offline", "--trust-policy", bad.toString());
        assertThat(no.get("trust-policy").get(0)).isEqualTo("FAIL");
        assertThat(no.get("trust-policy").get(1)).contains("StringEquals on " + env.issuer().hostAndPath() + ":sub failed")
                .contains("system:serviceaccount:default:app").contains("requires system:serviceaccount:default:web");

        Path wrongProvider = Files.writeString(tmp.resolve("provider.json"),
                TrustPolicy.forServiceAccount("111122223333", "oidc.eks.us-west-2.amazonaws.com/id/OTHER", "default", "app"));
        Map<String, List<String>> p = doctor(env.podEnvironment(), 1, "--offline", "--trust-policy", wrongProvider.toString());
        assertThat(p.get("trust-policy").get(1)).contains("principal Federated");

        Path broken = Files.writeString(tmp.resolve("broken.json"), "{not json");
        assertThat(doctor(env.podEnvironment(), 1, "--offline", "--trust-policy", broken.toString()).get("trust-policy").get(1))
                .contains("not valid JSON");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"aws,us-west-2", "aws-cn,cn-north-1", "aws-us-gov,us-gov-west-1",
            "aws-iso,us-iso-east-1", "aws-iso-b,us-isob-east-1", "aws-iso-e,eu-isoe-west-1", "aws-iso-f,us-isof-south-1",
            "aws-eusc,eusc-de-east-1"})
    void trustPolicyInTheRolesPartition(String partition, String region) throws Exception {
        IrsaEnvironment e = irsa.environment();
        Map<String, String> pod = env(e, m -> {
            m.put("AWS_ROLE_ARN", "arn:" + partition + ":iam::111122223333:role/app-role");
            m.put("AWS_REGION", region);
        });
        Path right = Files.writeString(tmp.resolve(partition + ".json"), TrustPolicy.forServiceAccount(partition,
                "111122223333", e.issuer().hostAndPath(), "default", "app", "sts.amazonaws.com"));
        Map<String, List<String>> ok = doctor(pod, -1, "--offline", "--trust-policy", right.toString());
        assertThat(ok.get("trust-policy")).as(partition).containsExactly("PASS", right + " allows system:serviceaccount:default:app"
                + " from oidc-provider/" + e.issuer().hostAndPath());

        String other = partition.equals("aws") ? "aws-cn" : "aws";
        Path wrong = Files.writeString(tmp.resolve(partition + "-wrong.json"), TrustPolicy.forServiceAccount(other,
                "111122223333", e.issuer().hostAndPath(), "default", "app", "sts.amazonaws.com"));
        Map<String, List<String>> no = doctor(pod, 1, "--offline", "--trust-policy", wrong.toString());
        assertThat(no.get("trust-policy").get(0)).as(partition).isEqualTo("FAIL");
        assertThat(no.get("trust-policy").get(1)).as(partition).contains("partition " + other)
                .contains("role is in partition " + partition)
                .contains("arn:" + partition + ":iam::111122223333:oidc-provider/" + e.issuer().hostAndPath());
    }

    @Test
    void anEndpointWithoutRegionSignsGetCallerIdentityForTheRegionTheEmulatorChecks() throws Exception {
        // The emulator verifies the SigV4 scope's region: us-east-1 is what a loopback endpoint without region signs for.
        try (IrsaEnvironment e = IrsaEnvironment.builder().region("us-east-1").start()) {
            Map<String, String> pod = env(e, m -> {
                m.remove("AWS_REGION");
                m.remove("AWS_DEFAULT_REGION");
            });
            Map<String, List<String>> c = doctor(pod, -1);
            assertThat(c.get("sts-caller-identity")).as(c.toString()).isNotNull();
            assertThat(c.get("sts-caller-identity").get(0)).as(c.toString()).isEqualTo("PASS");
        }
    }
}
