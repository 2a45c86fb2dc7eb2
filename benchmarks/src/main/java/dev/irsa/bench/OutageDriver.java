package dev.irsa.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * One outage, the same way for every source (STS for IRSA, the agent for Pod Identity): eight callers ask the
 * provider once a millisecond until a little after the credentials' expiry, the fault is on between
 * {@code outageStart} and {@code outageEnd}, and recovery is the time from the end of the outage until the
 * provider hands out credentials newer than the ones it had.
 */
final class OutageDriver {
    /** What the callers saw. */
    record Observed(long errorsBeforeExpiry, long firstErrorBeforeExpiryMs, long callerCalls, long recoveryMs) {
    }

    private OutageDriver() {}

    static Observed run(AwsCredentialsProvider provider, Instant expiry, Instant outageStart, Instant outageEnd,
                        Runnable faultOn, Runnable faultOff) throws InterruptedException {
        AtomicLong errorsBeforeExpiry = new AtomicLong();
        AtomicLong firstErrorMs = new AtomicLong(-1);
        AtomicLong calls = new AtomicLong();
        Instant stopCallers = expiry.plusSeconds(5);
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread t = new Thread(() -> {
                while (Instant.now().isBefore(stopCallers)) {
                    Instant now = Instant.now();
                    try {
                        provider.resolveCredentials();
                    } catch (RuntimeException e) {
                        if (now.isBefore(expiry)) {
                            errorsBeforeExpiry.incrementAndGet();
                            firstErrorMs.accumulateAndGet(Duration.between(now, expiry).toMillis(), Math::max);
                        }
                    }
                    calls.incrementAndGet();
                    LockSupport.parkNanos(1_000_000);
                }
            });
            t.setDaemon(true);
            t.start();
            callers.add(t);
        }
        sleepUntil(outageStart);
        faultOn.run();
        sleepUntil(outageEnd);
        faultOff.run();
        long recovery = -1;
        Instant deadline = outageEnd.plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            try {
                AwsCredentials c = provider.resolveCredentials();
                if (c instanceof AwsSessionCredentials s && s.expirationTime().orElseThrow().isAfter(expiry)) {
                    recovery = Duration.between(outageEnd, Instant.now()).toMillis();
                    break;
                }
            } catch (RuntimeException ignored) {
                // still failing
            }
            Thread.sleep(10);
        }
        for (Thread t : callers) {
            t.join();
        }
        return new Observed(errorsBeforeExpiry.get(), firstErrorMs.get(), calls.get(), recovery);
    }

    static void sleepUntil(Instant t) throws InterruptedException {
        long ms = Duration.between(Instant.now(), t).toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }
}
