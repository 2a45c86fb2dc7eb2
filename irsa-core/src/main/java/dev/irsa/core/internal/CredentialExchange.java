package dev.irsa.core.internal;

/** Obtains fresh credentials (the engine's one seam to STS). Blocking; called on a refresh thread. */
public interface CredentialExchange extends AutoCloseable {
    /**
     * @param maxAttempts STS calls allowed for retryable errors (a re-read of a rejected token is extra)
     * @throws dev.irsa.core.IrsaException classified, with a message that says what to check
     */
    ExchangeResult exchange(int maxAttempts);

    @Override
    default void close() {
    }
}
