package dev.irsa.bench;

import dev.irsa.core.RefreshPolicy;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * 10,000 pods started at the same second, 1-hour credentials, 24 hours of virtual time: when does each pod call
 * STS? irsa-java's schedule comes from its real scheduling code ({@link RefreshPolicy#firstRefreshLead} and
 * {@link RefreshPolicy#refreshLead}); the SDK's is modelled from its {@code CachedSupplier}: prefetch at expiry − 5 min
 * plus a jitter drawn up to one minute before the stale time (expiry − 1 min), i.e. refresh at expiry − 5…2 min
 * (async refresh or a caller in that window; both land in the same window). Reports peak and mean STS calls per
 * second, minute and 5 minutes after the first hour.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.irsa.bench.FleetSimulation [pods] [hours]}
 */
public final class FleetSimulation {
    public static void main(String[] args) {
        int pods = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int hours = args.length > 1 ? Integer.parseInt(args[1]) : 24;
        int horizon = hours * 3600;
        long[] ours = new long[horizon];
        long[] sdk = new long[horizon];
        RefreshPolicy policy = RefreshPolicy.defaults();
        Duration lifetime = Duration.ofHours(1);
        SplittableRandom random = new SplittableRandom(42);
        for (int pod = 0; pod < pods; pod++) {
            double issued = 0;
            boolean first = true;
            while (true) {
                double lead = (first ? policy.firstRefreshLead(lifetime, random) : policy.refreshLead(lifetime, random)).toMillis() / 1000.0;
                double refreshAt = issued + lifetime.toSeconds() - lead;
                if (refreshAt >= horizon) {
                    break;
                }
                ours[(int) refreshAt]++;
                issued = refreshAt;
                first = false;
            }
            double t = 0;
            while (true) {
                double refreshAt = t + 3600 - 300 + random.nextDouble() * 180;
                if (refreshAt >= horizon) {
                    break;
                }
                sdk[(int) refreshAt]++;
                t = refreshAt;
            }
        }
        System.out.println("Fleet: " + pods + " pods started together, 1 h credentials, " + hours + " h simulated; after the first hour:");
        System.out.println("| schedule | bucket | mean calls/bucket | peak calls/bucket | peak/mean |");
        System.out.println("|---|---|---|---|---|");
        for (int bucket : new int[] {1, 60, 300}) {
            print("irsa-java", ours, bucket);
            print("AWS SDK", sdk, bucket);
        }
    }

    private static void print(String name, long[] perSecond, int bucket) {
        int from = 3600;
        int n = (perSecond.length - from) / bucket;
        long peak = 0;
        long total = 0;
        for (int b = 0; b < n; b++) {
            long sum = 0;
            for (int s = 0; s < bucket; s++) {
                sum += perSecond[from + b * bucket + s];
            }
            peak = Math.max(peak, sum);
            total += sum;
        }
        double mean = total / (double) n;
        System.out.printf("| %s | %d s | %.2f | %d | %.2f |%n", name, bucket, mean, peak, peak / mean);
    }
}
