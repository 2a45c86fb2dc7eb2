package dev.irsa.bench;

import dev.irsa.core.RefreshPolicy;
import dev.irsa.testkit.Fault;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.StsCall;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * STS fails (503, or connection resets) for a period shorter than the credentials' remaining life, starting just
 * before the refresh point. Each contestant gets its own emulator (60-second credentials) and 8 caller threads
 * calling every millisecond. Both sides use the same windows: refresh 20 s before expiry, callers blocked/failed
 * from 6 s before (irsa-java: advisory and mandatory windows scaled to the lifetime, jitter off so the refresh
 * point is known; the SDK: prefetchTime 20 s, staleTime 6 s).
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.irsa.bench.OutageBenchmark [503|reset] [outageSeconds]}
 */
public final class OutageBenchmark {
    private static final Duration LIFETIME = Duration.ofSeconds(60);

    record Result(String name, long errorsBeforeExpiry, long firstErrorBeforeExpiryMs, long stsCallsDuringOutage,
                  double outageSeconds, long recoveryMs, long callerCalls) {
    }

    public static void main(String[] args) throws Exception {
        Fault fault = args.length > 0 && args[0].equals("reset") ? Fault.CONNECTION_RESET : Fault.SERVICE_UNAVAILABLE;
        int outage = args.length > 1 ? Integer.parseInt(args[1]) : 17;
        System.out.println("Outage: STS answers " + fault.outcome() + " for " + outage + " s, from 1 s before the refresh point;"
                + " credentials live " + LIFETIME.toSeconds() + " s; 8 callers at ~1 kHz each.");
        List<CompletableFuture<Result>> runs = List.of(
                CompletableFuture.supplyAsync(() -> run(Providers.Kind.IRSA, fault, outage)),
                CompletableFuture.supplyAsync(() -> run(Providers.Kind.SDK_SYNC, fault, outage)),
                CompletableFuture.supplyAsync(() -> run(Providers.Kind.SDK_ASYNC, fault, outage)));
        List<Result> results = new ArrayList<>();
        for (CompletableFuture<Result> r : runs) {
            results.add(r.get());
        }
        System.out.printf("%n| %-24s | %-22s | %-26s | %-16s | %-12s |%n", "provider", "caller errors before expiry",
                "STS calls during outage", "per 15 s", "recovery");
        System.out.println("|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf("| %-24s | %d of %d%s | %d | %.1f | %s |%n", r.name(), r.errorsBeforeExpiry(), r.callerCalls(),
                    r.errorsBeforeExpiry() > 0 ? " (from " + r.firstErrorBeforeExpiryMs() / 1000.0 + " s before expiry)" : "",
                    r.stsCallsDuringOutage(), r.stsCallsDuringOutage() * 15.0 / r.outageSeconds(),
                    r.recoveryMs() < 0 ? "not within 30 s" : r.recoveryMs() + " ms");
        }
        Result ours = results.get(0);
        for (Result sdk : results.subList(1, 3)) {
            System.out.printf("ratio vs %s: STS calls %s fewer; caller errors %d vs %d%n", sdk.name(),
                    Stats.ratio(ours.stsCallsDuringOutage(), sdk.stsCallsDuringOutage()), ours.errorsBeforeExpiry(),
                    sdk.errorsBeforeExpiry());
        }
    }

    static Result run(Providers.Kind kind, Fault fault, int outageSeconds) {
        String name = kind.label;
        try (IrsaEnvironment env = IrsaEnvironment.builder().credentialLifetime(LIFETIME).start()) {
            try (Providers.Contestant contestant = Providers.contestant(kind, env, RefreshPolicy.builder().jitter(0).build(),
                    Duration.ofSeconds(20), Duration.ofSeconds(6))) {
                AwsCredentialsProvider provider = contestant.provider();
                AwsSessionCredentials first = (AwsSessionCredentials) provider.resolveCredentials();
                Instant expiry = first.expirationTime().orElseThrow();
                Instant outageStart = expiry.minusSeconds(21);
                Instant outageEnd = outageStart.plusSeconds(outageSeconds);
                OutageDriver.Observed seen = OutageDriver.run(provider, expiry, outageStart, outageEnd,
                        () -> env.sts().faults().failAlways(fault), () -> env.sts().faults().clear());
                long during = env.sts().calls().all().stream().filter(c -> "AssumeRoleWithWebIdentity".equals(c.action()))
                        .map(StsCall::at).filter(at -> !at.isBefore(outageStart) && at.isBefore(outageEnd)).count();
                return new Result(name, seen.errorsBeforeExpiry(), seen.firstErrorBeforeExpiryMs(), during, outageSeconds,
                        seen.recoveryMs(), seen.callerCalls());
            }
        } catch (Exception e) {
            throw new IllegalStateException(name + " run failed", e);
        }
    }
}
