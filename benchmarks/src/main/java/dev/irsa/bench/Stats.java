package dev.irsa.bench;

import java.util.Arrays;

/** Percentiles of recorded latencies (nanoseconds). */
final class Stats {
    private Stats() {}

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static long[] sorted(long[] values, int n) {
        long[] s = Arrays.copyOf(values, n);
        Arrays.sort(s);
        return s;
    }

    static String ms(long nanos) {
        return String.format("%.3f ms", nanos / 1e6);
    }

    static String ratio(double ours, double theirs) {
        if (ours == 0) {
            return theirs == 0 ? "=" : "∞ (ours 0)";
        }
        return String.format("%.1f×", theirs / ours);
    }
}
