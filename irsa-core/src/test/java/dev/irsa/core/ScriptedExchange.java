package dev.irsa.core;

import dev.irsa.testkit.ManualClock;

import dev.irsa.core.internal.CredentialExchange;
import dev.irsa.core.internal.ExchangeResult;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/** A narrow seam for engine unit tests: answers from a script, issuing credentials on the test's clock. */
final class ScriptedExchange implements CredentialExchange {
    private final ManualClock clock;
    private final Deque<Supplier<ExchangeResult>> script = new ArrayDeque<>();
    private Duration lifetime = Duration.ofHours(1);
    private IrsaException failAlways;
    final List<Integer> attemptsAllowed = new ArrayList<>();
    final List<Long> callTimes = new ArrayList<>();
    private int issued;

    ScriptedExchange(ManualClock clock) {
        this.clock = clock;
    }

    ScriptedExchange lifetime(Duration d) {
        lifetime = d;
        return this;
    }

    ScriptedExchange thenFail(IrsaException e) {
        script.add(() -> {
            throw e;
        });
        return this;
    }

    /** The next call answers with these credentials (an agent that caches, as EKS Pod Identity's does). */
    ScriptedExchange thenAnswer(IrsaCredentials c) {
        script.add(() -> new ExchangeResult(c, null, 1));
        return this;
    }

    ScriptedExchange failAlways(IrsaException e) {
        failAlways = e;
        return this;
    }

    int calls() {
        return callTimes.size();
    }

    @Override
    public synchronized ExchangeResult exchange(int maxAttempts) {
        attemptsAllowed.add(maxAttempts);
        callTimes.add(clock.millis());
        if (failAlways != null) {
            throw failAlways;
        }
        Supplier<ExchangeResult> next = script.poll();
        if (next != null) {
            return next.get();
        }
        issued++;
        return new ExchangeResult(new IrsaCredentials("ASIATESTKEY" + String.format("%09d", issued), "secret-" + issued,
                "session-token-" + issued, clock.instant().plus(lifetime), "arn:aws:sts::111122223333:assumed-role/r/s"),
                null, 1);
    }

    static IrsaException retryable(String code) {
        return new IrsaException(IrsaException.Kind.RETRYABLE, code, "STS " + code + " (test)", null);
    }

    static IrsaException nonRecoverable(String code) {
        return new IrsaException(IrsaException.Kind.NON_RECOVERABLE, code, "STS " + code + " (test)", null);
    }
}
