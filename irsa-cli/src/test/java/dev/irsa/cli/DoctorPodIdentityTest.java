package dev.irsa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.irsa.testkit.Fault;
import dev.irsa.testkit.OidcIssuer;
import dev.irsa.testkit.PodIdentityEnvironment;
import dev.irsa.testkit.PodIdentityFault;
import dev.irsa.testkit.StsEmulator;
import dev.irsa.testkit.junit.PodIdentityEmulatorExtension;
import java.net.ServerSocket;
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

/** Each EKS Pod Identity doctor check, passing and failing, against the agent emulator (all on loopback). */
class DoctorPodIdentityTest {
    @RegisterExtension
    static final PodIdentityEmulatorExtension podIdentity = PodIdentityEmulatorExtension.create();

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

    private static Map<String, String> env(PodIdentityEnvironment e, Consumer<Map<String, String>> change) {
        Map<String, String> m = new HashMap<>(e.podEnvironment());
        change.accept(m);
        return m;
    }

    private Map<String, String> withTokenFile(PodIdentityEnvironment e, String token) throws Exception {
        Path f = Files.writeString(tmp.resolve("eks-pod-identity-token"), token);
        return env(e, m -> m.put("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", f.toString()));
    }

    @Test
    void aHealthyPodPassesEveryCheck(PodIdentityEnvironment env) throws Exception {
        Map<String, List<String>> c = doctor(env.podEnvironment(), 0);
        assertThat(c.keySet()).containsExactly("source", "environment", "agent-address", "token-file", "token-jwt",
                "token-expiry", "token-audience", "token-subject", "agent-reachable", "agent-credentials", "region",
                "sts-caller-identity", "clock");
        c.forEach((name, v) -> assertThat(v.get(0)).as(name + ": " + v.get(1)).isEqualTo("PASS"));
        assertThat(c.get("source").get(1)).startsWith("pod-identity (EKS Pod Identity)");
        assertThat(c.get("agent-address").get(1)).contains(env.agentEndpoint().toString()).contains("loopback");
        assertThat(c.get("token-audience").get(1)).contains("pods.eks.amazonaws.com");
        assertThat(c.get("agent-credentials").get(1)).contains("in account 111122223333").contains("ASIA…");
        assertThat(c.get("sts-caller-identity").get(1))
                .contains("arn:aws:sts::111122223333:assumed-role/app-role/eks-test-cluster-");
        assertThat(env.agent().count("Success")).isEqualTo(1);
        assertThat(env.sts().calls().count("GetCallerIdentity", "Success")).isEqualTo(1);
    }

    @Test
    void tableOutputForPeople(PodIdentityEnvironment env) {
        Cli r = Cli.run(env.podEnvironment(), "doctor");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).startsWith("CHECK").contains("agent-credentials    PASS")
                .contains("EKS Pod Identity looks healthy.");
    }

    @Test
    void bothConfiguredIrsaWinsAndDoctorSaysSo(PodIdentityEnvironment env) throws Exception {
        Path irsaToken = Files.writeString(tmp.resolve("token"), env.issuer().token("default", "app").sign());
        Map<String, List<String>> c = doctor(env(env, m -> {
            m.put("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/app-role");
            m.put("AWS_WEB_IDENTITY_TOKEN_FILE", irsaToken.toString());
        }), 0, "--offline");
        assertThat(c.get("source").get(0)).isEqualTo("WARN");
        assertThat(c.get("source").get(1)).startsWith("web-identity (IRSA)").contains("IRSA wins")
                .contains("remove the eks.amazonaws.com/role-arn annotation");
        assertThat(c).containsKey("role-arn").doesNotContainKeys("agent-address", "agent-credentials");
        assertThat(env.agent().calls()).isEmpty();
    }

    @Test
    void onlyTheAgentUriIsNotEnough(PodIdentityEnvironment env) throws Exception {
        Map<String, List<String>> c = doctor(env(env, m -> m.remove("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")), 1);
        assertThat(c.get("source")).containsExactly("FAIL", c.get("source").get(1));
        assertThat(c.get("source").get(1)).contains("only partly configured");
        assertThat(c.get("environment").get(0)).isEqualTo("FAIL");
        assertThat(c.get("environment").get(1)).contains("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE not set")
                .contains("create-pod-identity-association");
        assertThat(c.get("agent-credentials").get(1)).contains("not attempted");
        assertThat(env.agent().calls()).isEmpty();
    }

    @Test
    void aLiteralTokenWinsOverTheFileAndIsSaidTo(PodIdentityEnvironment env) throws Exception {
        Map<String, List<String>> c = doctor(env(env, m -> m.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", env.token().sign())), 0);
        assertThat(c.get("environment").get(0)).isEqualTo("WARN");
        assertThat(c.get("environment").get(1)).contains("AWS_CONTAINER_AUTHORIZATION_TOKEN wins over");
        assertThat(c.get("token")).containsExactly("PASS", c.get("token").get(1));
        assertThat(c).doesNotContainKey("token-file");
        assertThat(c.get("agent-credentials").get(0)).isEqualTo("PASS");
    }

    @Test
    void theAgentsOwnAddressesAreAcceptedIpv6Included(PodIdentityEnvironment env) throws Exception {
        // --offline: these addresses are only checked as strings, never contacted.
        Map<String, List<String>> v6 = doctor(env(env, m -> m.put("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://[fd00:ec2::23]/v1/credentials")), 0, "--offline");
        assertThat(v6.get("agent-address").get(0)).isEqualTo("PASS");
        assertThat(v6.get("agent-address").get(1)).contains("IPv6 cluster").contains("accepted as is");
        Map<String, List<String>> v4 = doctor(env(env, m -> m.put("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://169.254.170.23/v1/credentials")), 0, "--offline");
        assertThat(v4.get("agent-address")).containsExactly("PASS", "http://169.254.170.23/v1/credentials: the EKS Pod"
                + " Identity agent (IPv4)");
        assertThat(env.agent().calls()).isEmpty();
    }

    @Test
    void plainHttpToAnotherHostIsRefused(PodIdentityEnvironment env) throws Exception {
        Map<String, List<String>> c = doctor(env(env, m -> m.put("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://agent.example.com/v1/credentials")), 1, "--offline");
        assertThat(c.get("agent-address").get(0)).isEqualTo("FAIL");
        assertThat(c.get("agent-address").get(1)).contains("plain http").contains("clear text");
    }

    @Test
    void theEcsAgentsAddressOrAnotherPathWarns(PodIdentityEnvironment env) throws Exception {
        Map<String, List<String>> c = doctor(env(env, m -> m.put("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://169.254.170.2/v2/credentials")), 0, "--offline");
        assertThat(c.get("agent-address").get(0)).isEqualTo("WARN");
        assertThat(c.get("agent-address").get(1)).contains("ECS container agent").contains("/v2/credentials");
    }

    @Test
    void missingTokenFile(PodIdentityEnvironment env) throws Exception {
        Map<String, List<String>> c = doctor(env(env, m -> m.put("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                tmp.resolve("nope").toString())), 1);
        assertThat(c.get("token-file").get(0)).isEqualTo("FAIL");
        assertThat(c.get("token-file").get(1)).contains("EKS Pod Identity token file").contains("does not exist")
                .contains("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
        assertThat(c.get("agent-reachable").get(0)).as("reachability is checked regardless").isEqualTo("PASS");
        assertThat(c.get("agent-credentials").get(1)).contains("not attempted");
    }

    @Test
    void notAJwt(PodIdentityEnvironment env) throws Exception {
        Map<String, List<String>> c = doctor(withTokenFile(env, "hello"), 1);
        assertThat(c.get("token-jwt").get(0)).isEqualTo("FAIL");
        assertThat(c.get("token-jwt").get(1)).contains("EKS Pod Identity token").contains("is not a JWT")
                .contains("HTTP 400").contains("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE").contains("eks-pod-identity-token")
                .doesNotContain("AWS_WEB_IDENTITY_TOKEN_FILE");

        Map<String, List<String>> literal = doctor(env(env, m -> m.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", "hello")), 1);
        assertThat(literal.get("token-jwt").get(0)).isEqualTo("FAIL");
        assertThat(literal.get("token-jwt").get(1)).contains("AWS_CONTAINER_AUTHORIZATION_TOKEN is not a JWT")
                .contains("HTTP 400").doesNotContain("AWS_WEB_IDENTITY_TOKEN_FILE");
    }

    @Test
    void expiredToken(PodIdentityEnvironment env) throws Exception {
        Map<String, List<String>> c = doctor(withTokenFile(env, env.token().expired().sign()), 1);
        assertThat(c.get("token-expiry").get(0)).isEqualTo("FAIL");
        assertThat(c.get("token-expiry").get(1)).contains("expired at").contains("not rotated");
    }

    @Test
    void theIrsaTokenIsNotThePodIdentityToken(PodIdentityEnvironment env) throws Exception {
        Map<String, List<String>> c = doctor(withTokenFile(env, env.issuer().token("default", "app").sign()), 1);
        assertThat(c.get("token-audience").get(0)).isEqualTo("FAIL");
        assertThat(c.get("token-audience").get(1)).contains("lacks pods.eks.amazonaws.com").contains("HTTP 400");
        assertThat(c.get("agent-credentials").get(1)).contains("not attempted");
        assertThat(env.agent().calls()).isEmpty();
    }

    @Test
    void subjectThatIsNotAServiceAccount(PodIdentityEnvironment env) throws Exception {
        Map<String, List<String>> c = doctor(withTokenFile(env, env.token().subject("user@example.com").sign()), 1, "--offline");
        assertThat(c.get("token-subject").get(0)).isEqualTo("FAIL");
    }

    @Test
    void clockSkewFromTheToken(PodIdentityEnvironment env) throws Exception {
        try (OidcIssuer ahead = OidcIssuer.builder().clock(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(30))).start()) {
            Map<String, List<String>> c = doctor(withTokenFile(env, ahead.token("default", "app")
                    .audience("pods.eks.amazonaws.com").sign()), 1, "--offline");
            assertThat(c.get("clock").get(0)).isEqualTo("FAIL");
            assertThat(c.get("clock").get(1)).contains("clock is behind");
        }
    }

    @Test
    void agentNotReachable(PodIdentityEnvironment env) throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Map<String, List<String>> c = doctor(env(env, m -> m.put("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://127.0.0.1:" + closed + "/v1/credentials")), 1);
        assertThat(c.get("agent-address").get(0)).isEqualTo("PASS");
        assertThat(c.get("agent-reachable").get(0)).isEqualTo("FAIL");
        assertThat(c.get("agent-reachable").get(1)).contains("cannot connect to 127.0.0.1 port " + closed)
                .contains("eks-pod-identity-agent");
        assertThat(c.get("agent-credentials").get(1)).contains("not attempted");
    }

    @Test
    void noAssociationForThisServiceAccount(PodIdentityEnvironment env) throws Exception {
        String other = env.issuer().token("default", "other").audience("pods.eks.amazonaws.com").sign();
        Map<String, List<String>> c = doctor(withTokenFile(env, other), 1);
        assertThat(c.get("agent-reachable").get(0)).isEqualTo("PASS");
        assertThat(c.get("agent-credentials").get(0)).isEqualTo("FAIL");
        assertThat(c.get("agent-credentials").get(1)).contains("HTTP 403").contains("No Pod Identity Association")
                .contains("list-pod-identity-associations");
        assertThat(c).doesNotContainKey("sts-caller-identity");
    }

    @Test
    void agentUnavailable(PodIdentityEnvironment env) throws Exception {
        env.agent().faults().failAlways(PodIdentityFault.SERVICE_UNAVAILABLE);
        Map<String, List<String>> c = doctor(env.podEnvironment(), 1);
        assertThat(c.get("agent-credentials").get(0)).isEqualTo("FAIL");
        assertThat(c.get("agent-credentials").get(1)).contains("HTTP 503");
        assertThat(env.agent().count("ServiceUnavailableException")).as("one attempt, as doctor asks").isEqualTo(1);
    }

    @Test
    void issuedCredentialsThatStsRefusesFail(PodIdentityEnvironment env) throws Exception {
        // Another STS never issued these credentials: it answers with an authentication error (InvalidClientTokenId).
        try (StsEmulator other = StsEmulator.builder().region(env.region()).start()) {
            Map<String, List<String>> c = doctor(env(env, m -> m.put("AWS_ENDPOINT_URL_STS", other.endpoint().toString())), 1);
            assertThat(c.get("agent-credentials").get(0)).isEqualTo("PASS");
            assertThat(c.get("sts-caller-identity").get(0)).isEqualTo("FAIL");
            assertThat(c.get("sts-caller-identity").get(1)).contains("GetCallerIdentity with the issued credentials failed")
                    .contains("InvalidClientTokenId");
        }
    }

    @Test
    void stsUnreachableIsAWarningForPodIdentity(PodIdentityEnvironment env) throws Exception {
        // A Pod Identity app may never call STS: the agent's credentials are what it needs, and they were issued.
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Map<String, List<String>> c = doctor(env(env, m -> m.put("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:" + closed)), 0);
        assertThat(c.get("agent-credentials").get(0)).isEqualTo("PASS");
        assertThat(c.get("sts-caller-identity").get(0)).isEqualTo("WARN");
        assertThat(c.get("sts-caller-identity").get(1)).contains("could not reach STS at http://127.0.0.1:" + closed)
                .contains("never calls STS");

        env.sts().faults().failAlways(Fault.INTERNAL_ERROR).onlyFor("GetCallerIdentity");
        Map<String, List<String>> failing = doctor(env.podEnvironment(), 0);
        assertThat(failing.get("sts-caller-identity").get(0)).isEqualTo("WARN");
        assertThat(failing.get("sts-caller-identity").get(1)).contains("InternalFailure").contains("never calls STS");
    }

    @Test
    void anEndpointThatIsNotStsIsAWarningNotAFailure(PodIdentityEnvironment env) throws Exception {
        // AWS_ENDPOINT_URL_STS pointing at something else (a 404 or 405 page) says nothing about the credentials.
        for (int status : new int[] {404, 405}) {
            com.sun.net.httpserver.HttpServer notSts = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
            notSts.createContext("/", x -> {
                byte[] body = "<html><body>Not here</body></html>".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                x.getResponseHeaders().add("Content-Type", "text/html");
                x.sendResponseHeaders(status, body.length);
                x.getResponseBody().write(body);
                x.close();
            });
            notSts.start();
            try {
                String url = "http://127.0.0.1:" + notSts.getAddress().getPort();
                Map<String, List<String>> c = doctor(env(env, m -> m.put("AWS_ENDPOINT_URL_STS", url)), 0);
                assertThat(c.get("agent-credentials").get(0)).isEqualTo("PASS");
                assertThat(c.get("sts-caller-identity").get(0)).as("HTTP " + status).isEqualTo("WARN");
                assertThat(c.get("sts-caller-identity").get(1)).contains("HTTP " + status).contains("never calls STS");
            } finally {
                notSts.stop(0);
            }
        }
    }

    @Test
    void badRegionFailsAndNoRegionWarns(PodIdentityEnvironment env) throws Exception {
        Map<String, List<String>> bad = doctor(env.podEnvironment(), 1, "--region", "nowhere");
        assertThat(bad.get("agent-credentials").get(0)).isEqualTo("PASS");
        assertThat(bad.get("region").get(0)).isEqualTo("FAIL");
        assertThat(bad.get("region").get(1)).contains("not an AWS region");

        Map<String, List<String>> none = doctor(env(env, m -> {
            m.remove("AWS_REGION");
            m.remove("AWS_DEFAULT_REGION");
            m.remove("AWS_ENDPOINT_URL_STS");
        }), 0);
        assertThat(none.get("region").get(0)).isEqualTo("WARN");
        assertThat(none.get("region").get(1)).contains("no AWS_REGION").contains("not attempted");
        assertThat(none).doesNotContainKey("sts-caller-identity");
    }

    @Test
    void trustPolicyFlagExplainsPodIdentityTrust(PodIdentityEnvironment env) throws Exception {
        Path p = Files.writeString(tmp.resolve("trust.json"), "{}");
        Map<String, List<String>> c = doctor(env.podEnvironment(), 0, "--offline", "--trust-policy", p.toString());
        assertThat(c.get("trust-policy").get(0)).isEqualTo("WARN");
        assertThat(c.get("trust-policy").get(1)).contains("pods.eks.amazonaws.com").contains("sts:TagSession");
    }
}
