package dev.irsa.sdk.internal;

import java.util.List;

/**
 * The one rule by which every integration (Kafka, RDS, the starter's glue) picks the application's credentials
 * provider bean, so that they all share one session: the single {@code IrsaCredentialsProvider} bean, else the
 * {@code @Primary} one among the candidates, else none, with a warning saying which beans were found and what to do.
 * Not part of the stable API; free of Spring, so that each integration passes what its container resolved. Stateless.
 */
public final class ProviderChoice {
    private ProviderChoice() {
    }

    /**
     * The chosen provider, or {@code null} with {@code warning} set when the caller falls back to
     * {@code IrsaCredentialsProvider.create()}.
     *
     * @param provider the chosen bean, or null
     * @param warning what to log once at WARN when {@code provider} is null, else null
     * @param <T> the provider type
     */
    public record Choice<T>(T provider, String warning) {
    }

    /**
     * Applies the rule.
     *
     * @param integration who asks, for the warning ("RDS IAM authentication", "Kafka")
     * @param uniqueIrsa the single {@code IrsaCredentialsProvider} bean, or the {@code @Primary} one among several,
     *        else null (Spring's {@code ObjectProvider.getIfUnique()})
     * @param uniqueOther the single or {@code @Primary} bean among all candidates, or null; may be the same as
     *        {@code uniqueIrsa}'s lookup for an integration that takes only IRSA providers
     * @param candidateNames the names of every candidate bean, for the warning
     * @param <T> the provider type
     * @return the choice
     */
    public static <T> Choice<T> choose(String integration, T uniqueIrsa, T uniqueOther, List<String> candidateNames) {
        if (uniqueIrsa != null) {
            return new Choice<>(uniqueIrsa, null);
        }
        if (uniqueOther != null) {
            return new Choice<>(uniqueOther, null);
        }
        String found = candidateNames.isEmpty() ? "no credentials provider bean"
                : candidateNames.size() + " credentials provider beans " + candidateNames + " and none of them @Primary";
        return new Choice<>(null, integration + " found " + found + ", so it uses a credentials provider of its own"
                + " (IrsaCredentialsProvider.create()) from the pod's environment alone, ignoring the irsa.* Spring"
                + " settings: a second session, possibly under another principal. Define one IrsaCredentialsProvider"
                + " bean (irsa-spring-starter does), or mark the one to use @Primary.");
    }
}
