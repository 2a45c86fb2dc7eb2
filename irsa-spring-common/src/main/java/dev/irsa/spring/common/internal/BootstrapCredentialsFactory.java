package dev.irsa.spring.common.internal;

import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * What the starter's {@code dev.irsa.spring.IrsaBootstrapCredentials} does for {@link BootstrapRun}, which reaches it
 * by name (the starter depends on this jar, not the other way round): one instance per application run.
 *
 * <ul>
 *   <li>{@link #apply}: builds the bootstrap provider from the {@code irsa.*} properties {@code binder} sees, exactly
 *       as the application's bean is built; throws {@link IllegalStateException} (what the bootstrap context throws
 *       for a type nobody registered) when {@code irsa.enabled=false} or IRSA is not configured.</li>
 *   <li>{@link #accept}: given the application's complete environment, logs one warning when the IRSA configuration
 *       it resolves differs from the one the provider was built with. Never throws.</li>
 * </ul>
 */
public interface BootstrapCredentialsFactory extends BiFunction<Binder, SettingsSource, IrsaCredentialsProvider>,
        Consumer<Environment> {
}
