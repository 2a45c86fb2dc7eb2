package dev.irsa.spring.common.internal;

import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.springframework.boot.context.config.ConfigDataLocation;
import org.springframework.boot.context.config.ConfigDataLocationResolver;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;
import org.springframework.boot.context.config.ConfigDataResource;
import org.springframework.core.Ordered;

/**
 * Resolves nothing; tells this run's {@link BootstrapRun} what config data sees when each import is resolved
 * ({@link BootstrapRun#resolving}). Asked first (highest precedence) for every location, and always answers "not
 * mine".
 *
 * <p>Both lines' trackers are listed under the same {@code spring.factories} key, so both are asked on either line;
 * only the running line's looks into the bootstrap context, whose type moved in Boot 4.
 */
public abstract class ConfigDataBinderTrackerBase implements ConfigDataLocationResolver<ConfigDataResource>, Ordered {
    /**
     * Whether this is Spring Boot 4 (its bootstrap types are in {@code org.springframework.boot.bootstrap}). Both
     * lines' {@code BootstrapRegistry} are in this jar's native-image metadata (and the starter's AOT hints), so that a
     * native image answers as the JVM does.
     */
    public static final boolean BOOT4 = isPresent("org.springframework.boot.bootstrap.BootstrapRegistry",
            ConfigDataBinderTrackerBase.class.getClassLoader());
    /**
     * Whether this is Spring Boot 3 (its bootstrap types are in {@code org.springframework.boot}); probed on its own
     * rather than taken as "not Boot 4", so that a probe that cannot tell (a native image without the metadata) leaves
     * both lines' trackers inert instead of having Boot 3's touch types Boot 4 does not have.
     */
    public static final boolean BOOT3 = !BOOT4 && isPresent("org.springframework.boot.BootstrapRegistry",
            ConfigDataBinderTrackerBase.class.getClassLoader());

    private final boolean thisLine;
    private final Function<ConfigDataLocationResolverContext, BootstrapRun> run;

    /**
     * Whether {@code className} can be loaded, without initialising it: false when it is missing or cannot be linked
     * (a {@link LinkageError}, as a native image without its metadata or a jar of the other Boot line may throw).
     *
     * @param className a class name
     * @param classLoader the loader to ask, or null for this class's
     * @return whether the class loads
     */
    public static boolean isPresent(String className, ClassLoader classLoader) {
        try {
            Class.forName(className, false, classLoader != null ? classLoader
                    : ConfigDataBinderTrackerBase.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

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
