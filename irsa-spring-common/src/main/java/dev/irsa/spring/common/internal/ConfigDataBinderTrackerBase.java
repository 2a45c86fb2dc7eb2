package dev.irsa.spring.common.internal;

import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.springframework.boot.context.config.ConfigDataLocation;
import org.springframework.boot.context.config.ConfigDataLocationResolver;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;
import org.springframework.boot.context.config.ConfigDataResource;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;

/**
 * Resolves nothing; tells this run's {@link BootstrapRun} what config data sees when each import is resolved
 * ({@link BootstrapRun#resolving}). Asked first (highest precedence) for every location, and always answers "not
 * mine".
 *
 * <p>Both lines' trackers are listed under the same {@code spring.factories} key, so both are asked on either line;
 * only the running line's looks into the bootstrap context, whose type moved in Boot 4.
 */
public abstract class ConfigDataBinderTrackerBase implements ConfigDataLocationResolver<ConfigDataResource>, Ordered {
    /** Whether this is Spring Boot 4 (its bootstrap types are in {@code org.springframework.boot.bootstrap}). */
    public static final boolean BOOT4 = ClassUtils.isPresent("org.springframework.boot.bootstrap.BootstrapRegistry",
            ConfigDataBinderTrackerBase.class.getClassLoader());

    private final boolean thisLine;
    private final Function<ConfigDataLocationResolverContext, BootstrapRun> run;

    /**
     * @param thisLine whether the subclass's Boot line is running
     * @param run this run's {@link BootstrapRun} from the context's bootstrap context, or null; asked only when
     *     {@code thisLine}
     */
    protected ConfigDataBinderTrackerBase(boolean thisLine,
            Function<ConfigDataLocationResolverContext, BootstrapRun> run) {
        this.thisLine = thisLine;
        this.run = run;
    }

    @Override
    public final boolean isResolvable(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
        if (thisLine) {
            BootstrapRun r = run.apply(context);
            if (r != null) {
                r.resolving(context::getBinder);
            }
        }
        return false;
    }

    @Override
    public final List<ConfigDataResource> resolve(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
        return Collections.emptyList();
    }

    @Override
    public final int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
