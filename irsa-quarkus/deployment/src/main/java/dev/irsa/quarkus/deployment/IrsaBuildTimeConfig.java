package dev.irsa.quarkus.deployment;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * {@code quarkus.irsa.*} fixed at build time: whether the extension contributes anything at all, and its readiness
 * check and meters (each only when the application has SmallRye Health, Micrometer).
 *
 * @since 0.1.0
 */
@ConfigMapping(prefix = "quarkus.irsa")
@ConfigRoot(phase = ConfigPhase.BUILD_TIME)
public interface IrsaBuildTimeConfig {
    /**
     * Whether to configure IRSA at all: with {@code false} the extension adds no bean, check or meter.
     *
     * @return whether the extension is enabled
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * The readiness check.
     *
     * @return the health settings
     */
    Health health();

    /**
     * The Micrometer meters.
     *
     * @return the metrics settings
     */
    Metrics metrics();

    /** The readiness check. */
    interface Health {
        /**
         * Whether to add the {@code irsa} readiness check when SmallRye Health is present.
         *
         * @return whether the check is added
         */
        @WithDefault("true")
        boolean enabled();
    }

    /** The Micrometer meters. */
    interface Metrics {
        /**
         * Whether to add the {@code irsa.credentials.*} meters when Micrometer is present.
         *
         * @return whether the meters are added
         */
        @WithDefault("true")
        boolean enabled();
    }
}
