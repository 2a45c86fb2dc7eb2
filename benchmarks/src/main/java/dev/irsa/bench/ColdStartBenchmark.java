package dev.irsa.bench;

import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * A fresh JVM from {@code main} to the first credentials: irsa-java's {@code IrsaCredentialsProvider.create()}
 * against the SDK's {@code DefaultCredentialsProvider} resolving through web identity, both with a pod's
 * environment pointing at the emulator. Reports the median of N runs each: wall time from JVM start and the
 * classes loaded.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.irsa.bench.ColdStartBenchmark [runs]}
 */
public final class ColdStartBenchmark {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args[1]);
            return;
        }
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        try (IrsaEnvironment env = IrsaEnvironment.start()) {
            long[][] ours = measure(env, "irsa", runs);
            long[][] sdk = measure(env, "sdk-urlconnection", runs);
            System.out.println("Cold start, median of " + runs + " fresh JVMs (" + System.getProperty("java.version") + "):");
            System.out.println("| provider | JVM start → first credentials | classes loaded |");
            System.out.println("|---|---|---|");
            System.out.printf("| irsa-java IrsaCredentialsProvider.create() | %d ms | %d |%n", median(ours[0]), median(ours[1]));
            System.out.printf("| AWS SDK DefaultCredentialsProvider (web identity) | %d ms | %d |%n", median(sdk[0]), median(sdk[1]));
            System.out.printf("ratio: time %.2f× (SDK/ours), classes %.2f×%n", median(sdk[0]) / (double) median(ours[0]),
                    median(sdk[1]) / (double) median(ours[1]));
        }
    }

    private static long[][] measure(IrsaEnvironment env, String which, int runs) throws Exception {
        long[] times = new long[runs];
        long[] classes = new long[runs];
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        for (int i = 0; i < runs; i++) {
            ProcessBuilder pb = which.equals("sdk-urlconnection")
                    ? new ProcessBuilder(java, "-Dsoftware.amazon.awssdk.http.service.impl="
                    + "software.amazon.awssdk.http.urlconnection.UrlConnectionSdkHttpService", "-cp", cp,
                    ColdStartBenchmark.class.getName(), "child", which)
                    : new ProcessBuilder(java, "-cp", cp, ColdStartBenchmark.class.getName(), "child", which);
            pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
            pb.environment().putAll(env.podEnvironment());
            pb.redirectError(ProcessBuilder.Redirect.appendTo(new File(System.getProperty("java.io.tmpdir"), "coldstart.err")));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(which + " child failed: " + out);
            }
            String[] parts = out.split(" ");
            times[i] = Long.parseLong(parts[0]);
            classes[i] = Long.parseLong(parts[1]);
        }
        return new long[][] {times, classes};
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static void child(String which) {
        AwsCredentials c;
        if (which.equals("irsa")) {
            try (IrsaCredentialsProvider p = IrsaCredentialsProvider.create()) {
                c = p.resolveCredentials();
                report(c);
            }
        } else {
            try (DefaultCredentialsProvider p = DefaultCredentialsProvider.builder().build()) {
                c = p.resolveCredentials();
                report(c);
            }
        }
    }

    private static void report(AwsCredentials c) {
        if (!c.accessKeyId().startsWith("ASIA")) {
            throw new IllegalStateException("unexpected credentials");
        }
        long start = ManagementFactory.getRuntimeMXBean().getStartTime();
        long loaded = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
        System.out.println((System.currentTimeMillis() - start) + " " + loaded);
    }

}
