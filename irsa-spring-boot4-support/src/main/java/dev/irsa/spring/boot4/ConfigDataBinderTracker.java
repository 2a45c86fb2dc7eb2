package dev.irsa.spring.boot4;

import java.util.Collections;
import java.util.List;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.context.config.ConfigDataLocation;
import org.springframework.boot.context.config.ConfigDataLocationResolver;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;
import org.springframework.boot.context.config.ConfigDataResource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;

/**
 * Resolves nothing; notes which properties config data sees when each import is resolved, so the bootstrap provider
 * is configured from the same view Spring Cloud AWS binds its own {@code spring.cloud.aws.*} from. The
 * {@link Binder} Spring Boot keeps in the bootstrap context is only refreshed between config-data phases, so during
 * the first phase (where imports declared in {@code application.properties} or on the command line load) it holds
 * neither {@code application.properties} nor anything else loaded from files.
 *
 * <p>Asked first (highest precedence) for every location, and always answers "not mine". Inert on Spring Boot 3.
 * @since 0.1.0
 */
public final class ConfigDataBinderTracker implements ConfigDataLocationResolver<ConfigDataResource>, Ordered {
    /** Creates a tracker; Spring Boot instantiates it as a {@link ConfigDataLocationResolver}. */
    public ConfigDataBinderTracker() {
    }

    private static final boolean BOOT4 = ClassUtils.isPresent("org.springframework.boot.bootstrap.BootstrapRegistry",
            ConfigDataBinderTracker.class.getClassLoader());

    /** Where the latest resolver context is kept: one per bootstrap context (one per application run). */
    static final class Latest {
        volatile ConfigDataLocationResolverContext context;

        Binder binder() {
            ConfigDataLocationResolverContext c = context;
            return c == null ? null : c.getBinder();
        }
    }

    @Override
    public boolean isResolvable(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
        if (BOOT4) {
            ThisLine.note(context);
        }
        return false;
    }

    @Override
    public List<ConfigDataResource> resolve(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
        return Collections.emptyList();
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    /** Touches this line's bootstrap types; loaded only on this line. */
    private static final class ThisLine {
        static void note(ConfigDataLocationResolverContext context) {
            ConfigurableBootstrapContext bootstrap = context.getBootstrapContext();
            if (bootstrap.isRegistered(Latest.class)) {
                bootstrap.get(Latest.class).context = context;
            }
        }
    }
}
