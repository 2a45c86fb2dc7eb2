package dev.irsa.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * The emulator's SigV4 check against clients other than the Java SDK, run as child processes: botocore (Python)
 * and, opt-in, the AWS SDK for JavaScript v3. Each is skipped, with a message, when its client is not installed.
 *
 * <p>botocore: {@code /usr/bin/python3} (Debian's {@code python3-botocore}) is tried first, then {@code python3}
 * on the PATH ({@code -Dirsa.test.python=PATH} picks another). SDK JS v3: {@code node} with a directory holding {@code node_modules/@aws-sdk/client-sts}, given as
 * {@code -Dirsa.test.js.dir=...} or at {@code target/js}; install it with
 * {@code npm install --prefix irsa-testkit/target/js @aws-sdk/client-sts}. Credentials reach the child through
 * its environment, never its arguments or output.
 */
class OtherClientsInteropTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private static final Path PYTHON_SCRIPT = Path.of("src/test/python/sts_caller_identity.py");
    private static final Path NODE_SCRIPT = Path.of("src/test/js/sts_caller_identity.mjs");

    @Test
    void botocoreSignsGetCallerIdentityTheEmulatorAccepts() throws Exception {
        String python = python();
        Credentials c = credentials("boto");
        Map<String, Object> ok = run(List.of(python, PYTHON_SCRIPT.toString(), "call"), null, c);
        assertThat(ok).as("botocore %s", ok.get("botocore")).doesNotContainKey("error");
        assertThat(ok.get("Arn")).isEqualTo("arn:aws:sts::111122223333:assumed-role/app-role/boto");
        assertThat(ok.get("Account")).isEqualTo("111122223333");

        Credentials wrongSecret = c.toBuilder().secretAccessKey(Sts.tampered(c.secretAccessKey())).build();
        Map<String, Object> refused = run(List.of(python, PYTHON_SCRIPT.toString(), "call"), null, wrongSecret);
        assertThat(JSONObjectUtils.getJSONObject(refused, "error").get("Code")).isEqualTo("SignatureDoesNotMatch");
    }

    @Test
    void botocorePresignedGetCallerIdentityIsAccepted() throws Exception {
        String python = python();
        Map<String, Object> out = run(List.of(python, PYTHON_SCRIPT.toString(), "presign"), null, credentials("presigned"));
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create((String) out.get("url"))).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("botocore %s: %s", out.get("botocore"), r.body()).isEqualTo(200);
        assertThat(r.body()).contains("<Arn>arn:aws:sts::111122223333:assumed-role/app-role/presigned</Arn>");
    }

    @Test
    void sdkJsV3SignsGetCallerIdentityTheEmulatorAccepts() throws Exception {
        String dir = System.getProperty("irsa.test.js.dir", "target/js");
        assumeTrue(Files.isDirectory(Path.of(dir, "node_modules/@aws-sdk/client-sts")), "no @aws-sdk/client-sts under "
                + dir + "/node_modules: opt in with `npm install --prefix irsa-testkit/target/js @aws-sdk/client-sts`"
                + " (or -Dirsa.test.js.dir=DIR)");
        assumeTrue(works(List.of("node", "--version")), "no node on the PATH");
        Credentials c = credentials("js");
        Map<String, Object> ok = run(List.of("node", NODE_SCRIPT.toAbsolutePath().toString(), "call"), Path.of(dir), c);
        assertThat(ok).doesNotContainKey("error");
        assertThat(ok.get("Arn")).isEqualTo("arn:aws:sts::111122223333:assumed-role/app-role/js");

        Credentials wrongSecret = c.toBuilder().secretAccessKey(Sts.tampered(c.secretAccessKey())).build();
        Map<String, Object> refused = run(List.of("node", NODE_SCRIPT.toAbsolutePath().toString(), "call"), Path.of(dir), wrongSecret);
        assertThat(JSONObjectUtils.getJSONObject(refused, "error").get("Code")).isEqualTo("SignatureDoesNotMatch");
    }

    /** Credentials issued the normal way: the pod's projected token through AssumeRoleWithWebIdentity. */
    private static Credentials credentials(String session) throws Exception {
        String token = Files.readString(irsa.tokenFile());
        try (StsClient anon = Sts.anonymous(irsa.stsEndpoint(), irsa.region())) {
            return anon.assumeRoleWithWebIdentity(b -> b.roleArn(irsa.roleArn()).roleSessionName(session)
                    .webIdentityToken(token)).credentials();
        }
    }

    private static String python() {
        String chosen = System.getProperty("irsa.test.python");
        for (String candidate : chosen != null ? List.of(chosen) : List.of("/usr/bin/python3", "python3")) {
            if (works(List.of(candidate, "-c", "import botocore"))) {
                return candidate;
            }
        }
        assumeTrue(false, "no python3 with botocore (tried /usr/bin/python3, then python3 on the PATH): install"
                + " Debian's python3-botocore or `pip install botocore` to run this test");
        return null;
    }

    private static boolean works(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** Runs a client script with the credentials in its environment; returns its one JSON line. */
    private static Map<String, Object> run(List<String> command, Path workDir, Credentials c) throws Exception {
        List<String> full = new ArrayList<>(command);
        full.add(irsa.stsEndpoint().toString());
        full.add(irsa.region());
        ProcessBuilder pb = new ProcessBuilder(full)
                .redirectError(ProcessBuilder.Redirect.appendTo(new File("target/other-clients.log")));
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        Map<String, String> env = pb.environment();
        // Nothing from the developer's own AWS setup may leak in and change what the client does.
        env.keySet().removeIf(k -> k.startsWith("AWS_"));
        env.put("AWS_CONFIG_FILE", "/dev/null");
        env.put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("IRSA_TEST_ACCESS_KEY_ID", c.accessKeyId());
        env.put("IRSA_TEST_SECRET_ACCESS_KEY", c.secretAccessKey());
        env.put("IRSA_TEST_SESSION_TOKEN", c.sessionToken());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("client finished").isTrue();
        assertThat(p.exitValue()).as("exit status of %s (stderr in target/other-clients.log)", command).isZero();
        return JSONObjectUtils.parse(out);
    }
}
