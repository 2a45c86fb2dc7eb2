package dev.irsa.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.irsa.testkit.IrsaEnvironment;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.springframework.util.ClassUtils;

/**
 * The packaged app, AOT-processed at build time ({@code process-aot}), started in its own JVM with
 * {@code -Dspring.aot.enabled=true} and the pod's IRSA environment from the emulator, used over HTTP. Catches what
 * only shows in AOT mode: bean definitions fixed at build time (conditions evaluated then), and generated code or
 * hints that do not match what the starter and adapter load at runtime.
 */
class AotApplicationIT {
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");
    /** Logback's WARN/ERROR lines (Boot's default pattern: timestamp, level, pid, ...). */
    private static final Pattern WARN_OR_ERROR = Pattern.compile("(?m)^\\S+\\s+(WARN|ERROR)\\s.*$");

    /** The Boot line this build is on (4.0 by default, 3.5 with -Dboot3): the AOT output's format differs. */
    private static final boolean BOOT4 = ClassUtils.isPresent("org.springframework.boot.bootstrap.BootstrapRegistry", null);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aotProcessedJarGetsCredentialsFromIrsa() throws Exception {
        Path jar = Path.of(System.getProperty("example.jar", "target/spring-boot-example.jar"));
        assertThat(jar).as("the packaged app (run after package: failsafe)").isRegularFile();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            // The line the build selected (-Dboot3: 3.5, else 4.0) is the one packaged: the hints checked below name
            // both lines' classes, so they alone cannot tell which line was AOT-processed.
            String version = System.getProperty("boot3") == null ? "4.0." : "3.5.";
            assertThat(zip.stream().map(java.util.zip.ZipEntry::getName).filter(n -> n.startsWith("BOOT-INF/lib/spring-boot-")))
                    .as("Spring Boot %s in the packaged app", version)
                    .anyMatch(n -> n.matches("BOOT-INF/lib/spring-boot-" + java.util.regex.Pattern.quote(version) + "\\d+\\.jar"));
            assertThat(BOOT4).as("the test runs on the packaged line").isEqualTo(version.equals("4.0."));
            assertThat(zip.getEntry("BOOT-INF/classes/dev/irsa/examples/boot/ExampleApplication__ApplicationContextInitializer.class"))
                    .as("process-aot output in the jar").isNotNull();
            assertThat(zip.getEntry("BOOT-INF/classes/dev/irsa/spring/IrsaAutoConfiguration__BeanDefinitions.class"))
                    .as("the starter's bean definitions generated at build time (its condition matched then)").isNotNull();
            // IrsaRuntimeHints applied in a real build (found through aot.factories): what a native image needs
            // for the classes the support jar and the adapter load by name. Spring Framework 7 (Boot 4) writes one
            // reachability-metadata.json; 6.2 (Boot 3.5) writes reflect-config.json.
            String dir = "META-INF/native-image/dev.irsa/example-spring-boot/";
            String metadata = new String(zip.getInputStream(zip.getEntry(dir + (BOOT4 ? "reachability-metadata.json"
                    : "reflect-config.json"))).readAllBytes(), StandardCharsets.UTF_8);
            String line = BOOT4 ? "boot4" : "boot3";
            assertThat(metadata).contains("\"dev.irsa.spring." + line + ".IrsaBootstrapRegistryInitializer\"",
                    "\"dev.irsa.spring." + line + ".ConfigDataBinderTracker\"", "\"dev.irsa.spring.IrsaBootstrapCredentials\"",
                    "\"software.amazon.awssdk.services.sts.StsClient\"");
        }
        Path log = Path.of("target", "aot-app.log");
        try (IrsaEnvironment env = IrsaEnvironment.start()) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-Dspring.aot.enabled=true", "-jar", jar.toString(),
                    "--server.port=0", "--server.address=127.0.0.1")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            // Only the emulator's pod: nothing inherited could supply credentials or point the SDK elsewhere.
            pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
            pb.environment().putAll(env.podEnvironment());
            Process app = pb.start();
            try {
                int port = awaitPort(app, log);
                String base = "http://127.0.0.1:" + port;

                String whoami = get(base + "/whoami");
                String assumedRole = env.roleArn().replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/";
                assertThat(whoami).contains("\"arn\":\"" + assumedRole).contains("\"account\":\"" + env.accountId() + "\"");
                assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity", "Success"))
                        .as("credentials from our emulator").isGreaterThanOrEqualTo(1);
                assertThat(env.sts().calls().count("GetCallerIdentity")).as("/whoami signed with them").isEqualTo(1);

                String health = get(base + "/actuator/health");
                // Boot 4 writes details before status, Boot 3.5 status first.
                assertThat(health).containsPattern("\"irsa\":\\{(\"details\":\\{[^}]*\\},)?\"status\":\"UP\"")
                        .contains("\"roleArn\":\"" + env.roleArn() + "\"");

                String out = Files.readString(log, StandardCharsets.UTF_8);
                assertThat(out).as("ran in AOT mode").contains("Starting AOT-processed ExampleApplication");
                assertThat(WARN_OR_ERROR.matcher(out).results().map(r -> r.group()).toList())
                        .as("warnings or errors in " + log).isEmpty();
                assertThat(out).doesNotContain("ClassNotFoundException", "NoSuchMethodException", "NoClassDefFoundError");
            } finally {
                app.destroy();
                if (!app.waitFor(10, TimeUnit.SECONDS)) {
                    app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** The port from Tomcat's startup line; fails fast when the app exits or reports a failed start. */
    private static int awaitPort(Process app, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            String out = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            Matcher m = PORT.matcher(out);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!app.isAlive() || out.contains("APPLICATION FAILED TO START")) {
                fail("app did not start (exit " + (app.isAlive() ? "-" : app.exitValue()) + "):\n" + tail(out));
            }
            Thread.sleep(100);
        }
        fail("app did not start within " + STARTUP + ":\n" + tail(Files.readString(log, StandardCharsets.UTF_8)));
        throw new AssertionError();
    }

    private static String tail(String out) {
        List<String> lines = out.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    private String get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return r.body();
    }
}
