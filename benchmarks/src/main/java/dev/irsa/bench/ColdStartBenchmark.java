package dev.irsa.bench;

import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * A fresh JVM from JVM start to the first credentials, pod environment pointing at the emulator: irsa-java's
 * {@code IrsaCredentialsProvider.create()} against the SDK's {@code DefaultCredentialsProvider} resolving through web
 * identity, on the same HTTP client (URLConnection) and, separately, the SDK on the Apache 5 client an application
 * typically has. Each run reports where the time went: JVM start to {@code main}, building the provider, and the
 * first call (token file, HTTP, parsing), plus the classes loaded. With the path of {@code examples/spring-boot}'s
 * jar, also the Spring example's time from JVM start to its {@code irsa} health component reporting UP.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.irsa.bench.ColdStartBenchmark [runs] [spring-boot-example.jar]}
 */
public final class ColdStartBenchmark {
    private static final String URLCONNECTION = "software.amazon.awssdk.http.urlconnection.UrlConnectionSdkHttpService";
    private static final String APACHE5 = "software.amazon.awssdk.http.apache5.Apache5SdkHttpService";

    /** One contestant: a name and the HTTP implementation forced on the SDK, if any. */
    private record Contestant(String label, String which, String httpService) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args[1]);
            return;
        }
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Path springJar = args.length > 1 ? Path.of(args[1]) : null;
        List<Contestant> contestants = List.of(
                new Contestant("irsa-java `IrsaCredentialsProvider.create()` (URLConnection)", "irsa", null),
                new Contestant("AWS SDK `DefaultCredentialsProvider`, URLConnection", "sdk", URLCONNECTION),
                new Contestant("AWS SDK `DefaultCredentialsProvider`, Apache 5 (its usual default)", "sdk", APACHE5));
        try (IrsaEnvironment env = IrsaEnvironment.start()) {
            Map<Contestant, long[][]> results = new LinkedHashMap<>();
            for (int i = 0; i < runs; i++) {
                for (Contestant c : contestants) { // interleaved, so a busy moment does not fall on one side only
                    long[] r = run(env, c);
                    results.computeIfAbsent(c, k -> new long[r.length][runs]);
                    for (int k = 0; k < r.length; k++) {
                        results.get(c)[k][i] = r[k];
                    }
                }
            }
            System.out.println("Cold start, median of " + runs + " fresh JVMs each (" + System.getProperty("java.version")
                    + ", " + Runtime.getRuntime().availableProcessors() + " CPUs):");
            System.out.println("| provider | JVM start → first credentials | JVM start → main | building the provider |"
                    + " first call | classes loaded |");
            System.out.println("| --- | --- | --- | --- | --- | --- |");
            for (Map.Entry<Contestant, long[][]> e : results.entrySet()) {
                long[][] v = e.getValue();
                System.out.printf("| %s | %d ms | %d ms | %d ms | %d ms | %,d |%n", e.getKey().label(), median(v[0]),
                        median(v[1]), median(v[2]), median(v[3]), median(v[4]));
            }
            long[][] ours = results.get(contestants.get(0));
            long[][] sameClient = results.get(contestants.get(1));
            System.out.printf("same HTTP client: time %.2f× the SDK's, classes %.2f× the SDK's%n",
                    median(ours[0]) / (double) median(sameClient[0]), median(ours[4]) / (double) median(sameClient[4]));
            if (springJar != null && Files.isRegularFile(springJar)) {
                long[] spring = new long[runs];
                for (int i = 0; i < runs; i++) {
                    spring[i] = springToHealthUp(env, springJar);
                }
                System.out.printf("Spring example (%s): JVM start → `irsa` health UP, median %d ms%n", springJar.getFileName(),
                        median(spring));
            }
        }
    }

    /** {total, jvm start → main, building the provider, first call, classes} of one fresh JVM. */
    private static long[] run(IrsaEnvironment env, Contestant c) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        if (c.httpService() != null) {
            cmd.add("-Dsoftware.amazon.awssdk.http.service.impl=" + c.httpService());
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ColdStartBenchmark.class.getName(), "child",
                c.which()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        pb.environment().putAll(env.podEnvironment());
        pb.redirectError(ProcessBuilder.Redirect.appendTo(new File(System.getProperty("java.io.tmpdir"), "coldstart.err")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(c.label() + " child failed: " + out);
        }
        return Arrays.stream(out.split(" ")).mapToLong(Long::parseLong).toArray();
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static void child(String which) {
        long start = ManagementFactory.getRuntimeMXBean().getStartTime();
        long atMain = System.currentTimeMillis();
        AwsCredentialsProvider p = which.equals("irsa") ? IrsaCredentialsProvider.create()
                : DefaultCredentialsProvider.builder().build();
        long built = System.currentTimeMillis();
        AwsCredentials c = p.resolveCredentials();
        long done = System.currentTimeMillis();
        if (!c.accessKeyId().startsWith("ASIA")) {
            throw new IllegalStateException("unexpected credentials");
        }
        long loaded = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
        System.out.println((done - start) + " " + (atMain - start) + " " + (built - atMain) + " " + (done - built) + " "
                + loaded);
        if (p instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Starts the Spring example and polls its health until {@code irsa} is UP; ms from process start. */
    private static long springToHealthUp(IrsaEnvironment env, Path jar) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-jar", jar.toString(), "--server.port=" + port,
                "--server.address=127.0.0.1");
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        pb.environment().putAll(env.podEnvironment());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(new File(System.getProperty("java.io.tmpdir"), "coldstart-spring.log")));
        long t0 = System.currentTimeMillis();
        Process p = pb.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/irsa"))
                .timeout(Duration.ofSeconds(2)).build();
        try {
            long deadline = t0 + 60_000;
            while (System.currentTimeMillis() < deadline) {
                try {
                    HttpResponse<String> r = http.send(health, HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200 && r.body().contains("\"UP\"")) {
                        return System.currentTimeMillis() - t0;
                    }
                } catch (java.io.IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(10);
            }
            throw new IllegalStateException("the Spring example did not report irsa UP within 60 s");
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
