package dev.irsa.core.internal;

import java.util.concurrent.CompletableFuture;

/** Obtains fresh credentials (the engine's one seam to STS). Blocking; called on a refresh thread. */
public interface CredentialExchange extends AutoCloseable {
    /**
     * Completes when {@link #exchange(int)} can run without waiting on anything else (a chained session: when its
     * source session has credentials), so that no refresh thread blocks on another session's refresh. Completes
     * exceptionally (with an {@link dev.irsa.core.IrsaException}) when it never can. Must not block.
     */
    default CompletableFuture<?> ready() {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * @param maxAttempts STS calls allowed for retryable errors (a re-read of a rejected token is extra)
     * @throws dev.irsa.core.IrsaException classified, with a message that says what to check
     */
    ExchangeResult exchange(int maxAttempts);

    @Override
    default void close() {
    }
}
