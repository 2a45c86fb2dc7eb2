package dev.irsa.bench;

import dev.irsa.core.RefreshPolicy;
import dev.irsa.testkit.IrsaEnvironment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * 64 threads call {@code resolveCredentials()} (with 50 µs of "work" between calls) across several refreshes of
 * 20-second credentials while STS takes 200 ms to answer. Counts STS calls per refresh (distinct credentials seen)
 * and caller latency. The SDK's windows are set to match ours for this lifetime (prefetch 7 s, stale 2 s).
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.irsa.bench.ContentionBenchmark [seconds]}
 */
public final class ContentionBenchmark {
    record Result(String name, long stsCalls, long refreshes, long calls, long p50, long p999, long max, long slowCalls) {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        System.out.println("Contention: 64 threads, 20 s credentials, 200 ms STS latency, " + seconds + " s per provider.");
        List<Result> results = new ArrayList<>();
        for (Providers.Kind kind : Providers.Kind.values()) {
            results.add(run(kind, seconds));
        }
        System.out.printf("%n| %-24s | %-9s | %-9s | %-14s | %-10s | %-10s | %-10s | %-22s |%n", "provider", "STS calls",
                "refreshes", "calls/refresh", "p50", "p99.9", "max", "calls slower than 100 ms");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf("| %-24s | %d | %d | %.2f | %s | %s | %s | %d of %d |%n", r.name(), r.stsCalls(), r.refreshes(),
                    r.stsCalls() / (double) Math.max(1, r.refreshes()), Stats.ms(r.p50()), Stats.ms(r.p999()), Stats.ms(r.max()),
                    r.slowCalls(), r.calls());
        }
        Result ours = results.get(0);
        for (Result sdk : results.subList(1, 3)) {
            System.out.printf("ratio vs %s: p99.9 %s lower, max %s lower%n", sdk.name(), Stats.ratio(ours.p999(), sdk.p999()),
                    Stats.ratio(ours.max(), sdk.max()));
        }
    }

    static Result run(Providers.Kind kind, int seconds) throws Exception {
        String name = kind.label;
        try (IrsaEnvironment env = IrsaEnvironment.builder().credentialLifetime(Duration.ofSeconds(20)).start()) {
            env.sts().faults().latency(Duration.ofMillis(200));
            try (Providers.Contestant contestant = Providers.contestant(kind, env,
                    // 20-s credentials refreshed as they expire, as before the minimum refresh interval (off here)
                    RefreshPolicy.builder().minimumRefreshInterval(Duration.ZERO).build(),
                    Duration.ofSeconds(7), Duration.ofSeconds(2))) {
                AwsCredentialsProvider provider = contestant.provider();
                provider.resolveCredentials();
                env.sts().calls().clear();
                Set<String> seen = ConcurrentHashMap.newKeySet();
                long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
                CountDownLatch go = new CountDownLatch(1);
                int threads = 64;
                long[][] latencies = new long[threads][];
                int[] counts = new int[threads];
                AtomicLong slow = new AtomicLong();
                List<Thread> ts = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    int id = i;
                    latencies[i] = new long[1 << 20];
                    Thread t = new Thread(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        String last = null;
                        while (System.nanoTime() < end) {
                            long t0 = System.nanoTime();
                            AwsCredentials c;
                            try {
                                c = provider.resolveCredentials();
                            } catch (RuntimeException e) {
                                continue;
                            }
                            long took = System.nanoTime() - t0;
                            if (counts[id] < latencies[id].length) {
                                latencies[id][counts[id]++] = took;
                            }
                            if (took > 100_000_000) {
                                slow.incrementAndGet();
                            }
                            if (!c.accessKeyId().equals(last)) {
                                last = c.accessKeyId();
                                seen.add(last);
                            }
                            LockSupport.parkNanos(50_000);
                        }
                    });
                    t.start();
                    ts.add(t);
                }
                go.countDown();
                for (Thread t : ts) {
                    t.join();
                }
                int total = 0;
                for (int c : counts) {
                    total += c;
                }
                long[] all = new long[total];
                int k = 0;
                for (int i = 0; i < threads; i++) {
                    System.arraycopy(latencies[i], 0, all, k, counts[i]);
                    k += counts[i];
                }
                long[] sorted = Stats.sorted(all, all.length);
                long sts = env.sts().calls().count("AssumeRoleWithWebIdentity");
                // The credentials held at the start were seen too; only new ones are refreshes.
                return new Result(name, sts, Math.max(0, seen.size() - 1), total, Stats.percentile(sorted, 50),
                        Stats.percentile(sorted, 99.9), sorted.length == 0 ? 0 : sorted[sorted.length - 1], slow.get());
            }
        }
    }
}
