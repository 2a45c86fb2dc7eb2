package dev.irsa.rds.internal;

import java.util.Objects;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * A credentials provider chosen when first needed, not when the token source is built: under Spring, the application's
 * provider bean may be {@code @Lazy}, and choosing it at start-up would create it. {@link dev.irsa.rds.RdsAuthTokens}
 * unwraps it on first use, so that an IRSA provider chosen this way keeps its refresh-first behaviour. Not part of the
 * stable API. Thread-safe: the supplier runs once.
 */
public final class DeferredCredentials implements AwsCredentialsProvider {
    /**
     * The provider chosen.
     *
     * @param provider the provider to sign with
     * @param owned whether the token source closes it (a provider of its own, not an application's bean)
     */
    public record Chosen(AwsCredentialsProvider provider, boolean owned) {
        /**
         * Checks the provider.
         *
         * @param provider the provider to sign with
         * @param owned whether the token source closes it
         */
        public Chosen {
            Objects.requireNonNull(provider, "provider");
        }
    }

    private final Supplier<Chosen> choose;
    private volatile Chosen chosen;

    /**
     * A provider to be chosen by {@code choose}.
     *
     * @param choose run once, when credentials are first asked for
     */
    public DeferredCredentials(Supplier<Chosen> choose) {
        this.choose = Objects.requireNonNull(choose, "choose");
    }

    /** {@return the provider, chosen now if it was not yet} */
    public Chosen chosen() {
        Chosen c = chosen;
        if (c == null) {
            synchronized (this) {
                c = chosen;
                if (c == null) {
                    c = Objects.requireNonNull(choose.get(), "the chosen provider");
                    chosen = c;
                }
            }
        }
        return c;
    }

    /** {@return the provider if it was chosen, else null} */
    public Chosen chosenIfAny() {
        return chosen;
    }

    @Override
    public AwsCredentials resolveCredentials() {
        return chosen().provider().resolveCredentials();
    }

    @Override
    public String toString() {
        Chosen c = chosen;
        return "DeferredCredentials[" + (c == null ? "not chosen yet" : c.provider().getClass().getSimpleName()) + "]";
    }
}
