package dev.irsa.bench;

import dev.irsa.core.RefreshPolicy;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.PodIdentityCall;
import dev.irsa.testkit.PodIdentityEnvironment;
import dev.irsa.testkit.PodIdentityFault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;

/**
 * The EKS Pod Identity agent fails (503, or connection resets) from before either provider's refresh point until
 * 4 s before the held credentials expire. irsa-java and the AWS SDK's {@code ContainerCredentialsProvider} run at
 * once, each against its own agent emulator, 8 caller threads each calling every millisecond.
 *
 * <p>The SDK's container provider has fixed windows (prefetch at expiry - 15 min, stale 1 min before expiry; no
 * builder option changes them), so the credentials must live longer than 15 min for its prefetch to mean anything:
 * with shorter ones it refreshes on every call even while the agent is healthy. The default lifetime is therefore
 * 16 min, and the outage starts 10 s before the SDK's prefetch point (ours, with jitter off, is later: 5 min before
 * expiry) and lasts about 15 min. irsa-java uses its defaults (advisory window 5 min, mandatory 1 min for 16-minute
 * credentials) with jitter off so the refresh point is known.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.irsa.bench.PodIdentityOutageBenchmark [503|reset]
 * [lifetimeSeconds] [sync|async]}
 */
public final class PodIdentityOutageBenchmark {
    private static final Duration SDK_PREFETCH = Duration.ofMinutes(15);

    record Result(String name, long errorsBeforeExpiry, long firstErrorBeforeExpiryMs, long agentCallsDuringOutage,
                  double outageSeconds, long recoveryMs, long callerCalls) {
    }

    public static void main(String[] args) throws Exception {
        PodIdentityFault fault = args.length > 0 && args[0].equals("reset") ? PodIdentityFault.CONNECTION_RESET
                : PodIdentityFault.SERVICE_UNAVAILABLE;
        Duration lifetime = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 960);
        boolean async = args.length > 2 && args[2].equals("async");
        if (lifetime.compareTo(SDK_PREFETCH.plusSeconds(30)) < 0) {
            System.out.println("WARNING: credentials shorter than 15.5 min: the SDK's container provider is in its"
                    + " prefetch window from the start and refreshes on every call; not a fair comparison.");
        }
        System.out.println("Pod Identity outage: the agent answers " + fault.outcome() + " from 10 s before the SDK's"
                + " prefetch point until 4 s before expiry; credentials live " + lifetime.toSeconds() + " s; 8 callers"
                + " at ~1 kHz each per provider.");
        String sdkName = "AWS SDK container (" + (async ? "async" : "sync") + " refresh)";
        List<CompletableFuture<Result>> runs = List.of(
                CompletableFuture.supplyAsync(() -> run("irsa-java", null, fault, lifetime)),
                CompletableFuture.supplyAsync(() -> run(sdkName, async, fault, lifetime)));
        List<Result> results = new ArrayList<>();
        for (CompletableFuture<Result> r : runs) {
            results.add(r.get());
        }
        System.out.printf("%n| provider | caller errors before expiry | agent calls during outage | per 15 s | outage |"
                + " recovery |%n|---|---|---|---|---|---|%n");
        for (Result r : results) {
            System.out.printf("| %s | %d of %d%s | %d | %.1f | %.0f s | %s |%n", r.name(), r.errorsBeforeExpiry(),
                    r.callerCalls(), r.errorsBeforeExpiry() > 0 ? " (from " + r.firstErrorBeforeExpiryMs() / 1000.0
                            + " s before expiry)" : "", r.agentCallsDuringOutage(),
                    r.agentCallsDuringOutage() * 15.0 / r.outageSeconds(), r.outageSeconds(),
                    r.recoveryMs() < 0 ? "not within 30 s" : r.recoveryMs() + " ms");
        }
        Result ours = results.get(0);
        Result sdk = results.get(1);
        System.out.printf("ratio vs %s: agent calls %s fewer; caller errors %d vs %d%n", sdk.name(),
                Stats.ratio(ours.agentCallsDuringOutage(), sdk.agentCallsDuringOutage()), ours.errorsBeforeExpiry(),
                sdk.errorsBeforeExpiry());
    }

    /** {@code sdkAsync} null: irsa-java; else the SDK's container provider with async refresh off or on. */
    static Result run(String name, Boolean sdkAsync, PodIdentityFault fault, Duration lifetime) {
        try (PodIdentityEnvironment env = PodIdentityEnvironment.builder().credentialLifetime(lifetime).start()) {
            AwsCredentialsProvider provider;
            AutoCloseable closer;
            if (sdkAsync == null) {
                IrsaCredentialsProvider p = Providers.podIdentity(env, RefreshPolicy.builder().jitter(0).build());
                provider = p;
                closer = p;
            } else {
                ContainerCredentialsProvider p = Providers.sdkContainer(env, sdkAsync);
                provider = p;
                closer = p;
            }
            try (closer) {
                AwsSessionCredentials first = (AwsSessionCredentials) provider.resolveCredentials();
                Instant expiry = first.expirationTime().orElseThrow();
                Duration ourLead = RefreshPolicy.builder().jitter(0).build().refreshLead(lifetime, ThreadLocalRandom.current());
                Duration lead = ourLead.compareTo(SDK_PREFETCH) > 0 ? ourLead : SDK_PREFETCH;
                Instant outageStart = expiry.minus(lead).minusSeconds(10);
                if (outageStart.isBefore(Instant.now().plusSeconds(1))) {
                    outageStart = Instant.now().plusSeconds(1);
                }
                Instant outageEnd = expiry.minusSeconds(4);
                OutageDriver.Observed seen = OutageDriver.run(provider, expiry, outageStart, outageEnd,
                        () -> env.agent().faults().failAlways(fault), () -> env.agent().faults().clear());
                Instant from = outageStart;
                long during = env.agent().calls().stream().map(PodIdentityCall::at)
                        .filter(at -> !at.isBefore(from) && at.isBefore(outageEnd)).count();
                return new Result(name, seen.errorsBeforeExpiry(), seen.firstErrorBeforeExpiryMs(), during,
                        Duration.between(outageStart, outageEnd).toMillis() / 1000.0, seen.recoveryMs(), seen.callerCalls());
            }
        } catch (Exception e) {
            throw new IllegalStateException(name + " run failed", e);
        }
    }
}
