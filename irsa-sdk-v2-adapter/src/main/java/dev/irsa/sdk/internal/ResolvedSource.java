package dev.irsa.sdk.internal;

import dev.irsa.core.CredentialSource;
import dev.irsa.core.IrsaConfig;
import dev.irsa.core.IrsaSession;
import dev.irsa.core.PodIdentityConfig;
import dev.irsa.core.RefreshPolicy;
import dev.irsa.core.internal.SessionHolds;
import dev.irsa.core.internal.SessionRegistry;
import java.time.Clock;

/**
 * One credential source's resolved configuration, typed: what an {@code IrsaCredentialsProvider}'s base session is
 * opened from, with eager start when the provider is built, and without when it takes its session up again after a
 * close (that never blocks on STS or the agent).
 */
public sealed interface ResolvedSource {
    /**
     * Opens the base session.
     *
     * @param registry where the session is held: the process-wide registry, or the provider's own
     * @param again taking the session up again after a close: never with eager start
     * @return a hold on the session
     */
    IrsaSession open(SessionRegistry registry, boolean again);

    /** {@return the clock of the configuration} */
    Clock clock();

    /** {@return the refresh policy of the configuration} */
    RefreshPolicy refreshPolicy();

    /** {@return what messages name the source by: the role ARN, or "EKS Pod Identity"} */
    String label();

    /** {@return where the credentials come from} */
    CredentialSource source();

    /**
     * An IRSA configuration.
     *
     * @param config the configuration
     * @return it, with its twin without eager start
     */
    static Irsa irsa(IrsaConfig config) {
        return new Irsa(config, config.eagerStart() ? config.toBuilder().eagerStart(false).build() : config);
    }

    /**
     * A Pod Identity configuration built from {@code builder}.
     *
     * @param builder the configured builder
     * @return the built configuration, with its twin without eager start
     */
    static Pod pod(PodIdentityConfig.Builder builder) {
        PodIdentityConfig built = builder.build();
        return new Pod(built, built.eagerStart() ? builder.copy().eagerStart(false).build() : built);
    }

    /** IRSA: the configuration, and the same without eager start. */
    record Irsa(IrsaConfig config, IrsaConfig lazy) implements ResolvedSource {
        @Override
        public IrsaSession open(SessionRegistry registry, boolean again) {
            return SessionHolds.shared(again ? lazy : config, registry);
        }

        @Override
        public Clock clock() {
            return config.clock();
        }

        @Override
        public RefreshPolicy refreshPolicy() {
            return config.refreshPolicy();
        }

        @Override
        public String label() {
            return config.roleArn().toString();
        }

        @Override
        public CredentialSource source() {
            return CredentialSource.WEB_IDENTITY;
        }
    }

    /** EKS Pod Identity: the configuration, and the same without eager start. */
    record Pod(PodIdentityConfig config, PodIdentityConfig lazy) implements ResolvedSource {
        @Override
        public IrsaSession open(SessionRegistry registry, boolean again) {
            return SessionHolds.shared(again ? lazy : config, registry);
        }

        @Override
        public Clock clock() {
            return config.clock();
        }

        @Override
        public RefreshPolicy refreshPolicy() {
            return config.refreshPolicy();
        }

        @Override
        public String label() {
            return "EKS Pod Identity";
        }

        @Override
        public CredentialSource source() {
            return CredentialSource.POD_IDENTITY;
        }
    }
}
