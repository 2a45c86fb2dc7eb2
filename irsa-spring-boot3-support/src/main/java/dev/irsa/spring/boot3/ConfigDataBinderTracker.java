package dev.irsa.spring.boot3;

import dev.irsa.spring.common.internal.BootstrapRun;
import dev.irsa.spring.common.internal.ConfigDataBinderTrackerBase;
import org.springframework.boot.ConfigurableBootstrapContext;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;

/**
 * Resolves nothing; notes which properties config data sees when each import is resolved, so the bootstrap provider
 * is configured from the same view Spring Cloud AWS binds its own {@code spring.cloud.aws.*} from (the binder Spring
 * Boot keeps in the bootstrap context lacks the files during the first config-data phase). Asked first (highest
 * precedence) for every location, and always answers "not mine". Inert on Spring Boot 4.
 * @since 0.1.0
 */
public final class ConfigDataBinderTracker extends ConfigDataBinderTrackerBase {
    /** Creates a tracker; Spring Boot instantiates it as a {@code ConfigDataLocationResolver}. */
    public ConfigDataBinderTracker() {
        super(BOOT3, context -> ThisLine.run(context));
    }

    /** Touches this line's bootstrap types; loaded only on this line. */
    private static final class ThisLine {
        static BootstrapRun run(ConfigDataLocationResolverContext context) {
            ConfigurableBootstrapContext bootstrap = context.getBootstrapContext();
            return bootstrap.isRegistered(BootstrapRun.class) ? bootstrap.get(BootstrapRun.class) : null;
        }
    }
}
