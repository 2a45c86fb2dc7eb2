package dev.irsa.spring.boot3;

import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.boot.ConfigurableBootstrapContext;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Releases the bootstrap provider's hold on its session when the application fails to start before its context
 * took the provider over: a failure after a config-data import fetched credentials but before the bootstrap context
 * closed (while the environment is prepared) would otherwise keep the session and its refresh threads running until
 * the JVM exits. A failure once the context has taken the provider over but before it refreshed (a listener on
 * {@code ApplicationPreparedEvent} throwing, a bad source) is released here too: closing a context that was never
 * refreshed destroys nothing. A failure while refreshing is covered by the context, which destroys its beans.
 *
 * <p>One per application run, as Spring Boot creates run listeners. Inert on Spring Boot 4: its {@code starting}
 * there takes another type, so this one's is never called and nothing is noted.
 * @since 0.1.0
 */
public final class FailedStartRelease implements SpringApplicationRunListener {
    private volatile ConfigurableBootstrapContext bootstrap;

    /** Creates the listener; Spring Boot instantiates it once per application run. */
    public FailedStartRelease() {
    }

    @Override
    public void starting(ConfigurableBootstrapContext bootstrapContext) {
        this.bootstrap = bootstrapContext;
    }

    @Override
    public void failed(ConfigurableApplicationContext context, Throwable exception) {
        ConfigurableBootstrapContext b = bootstrap;
        if (b != null && b.isRegistered(IrsaBootstrapRegistryInitializer.Hold.class)) {
            b.get(IrsaBootstrapRegistryInitializer.Hold.class).release();
        }
        if (context != null && !context.isActive()) {
            try {
                if (context.getBeanFactory() instanceof DefaultSingletonBeanRegistry beans) {
                    beans.destroySingleton(IrsaBootstrapRegistryInitializer.PROVIDER_BEAN); // no-op when not there
                }
            } catch (IllegalStateException e) {
                // a refreshable context without a bean factory yet: it never took the provider over
            }
        }
    }
}
