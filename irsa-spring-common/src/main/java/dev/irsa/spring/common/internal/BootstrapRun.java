package dev.irsa.spring.common.internal;

import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One application run's IRSA provider for config-data imports ({@code spring.config.import=aws-parameterstore:...},
 * {@code aws-secretsmanager:...}), the same on both Boot lines. Each line's {@code IrsaBootstrapRegistryInitializer}
 * registers the run and the provider in that line's bootstrap registry; its {@code ConfigDataBinderTracker} and
 * {@code FailedStartRelease} find the run there. They only adapt the types Boot 4 moved; the logic is here.
 *
 * <p>Guarantees: the provider is built only when an import first asks for it, from the {@code irsa.*} properties
 * config data sees while resolving that import ({@link #resolving}), exactly as the application's bean is built, so
 * both hold one shared session (one STS call per refresh). With {@code irsa.enabled=false}, or IRSA not configured,
 * building fails as asking for an unregistered type does, and Spring Cloud AWS uses its own credentials. The
 * provider's hold on the session is released when the application context closes (the context takes it over as a
 * disposable bean), or, when the start fails before that, by {@link #startFailed}. When the IRSA configuration the
 * application resolves (read once the environment is complete) differs from the import's, one warning names what
 * differs.
 *
 * <p>Thread-safe.
 */
public final class BootstrapRun {
    /** In irsa-spring-starter, which depends on this jar: reached by name (see the starter's RuntimeHints). */
    static final String FACTORY = "dev.irsa.spring.IrsaBootstrapCredentials";
    /** The disposable bean through which the application context releases the bootstrap provider. */
    static final String PROVIDER_BEAN = "irsaBootstrapCredentialsProvider";

    private final BootstrapCredentialsFactory factory;
    private final SettingsSource settings;
    /** The provider until the context takes it over (or a failed start lets it go). */
    private final AtomicReference<IrsaCredentialsProvider> provider = new AtomicReference<>();
    /** The application context, once the bootstrap context closed; guarded by this. */
    private ConfigurableApplicationContext context;
    /** What config data sees while the latest import is resolved; null outside config-data processing. */
    private volatile Supplier<Binder> configData;

    private BootstrapRun(BootstrapCredentialsFactory factory, SettingsSource settings) {
        this.factory = factory;
        this.settings = settings;
    }

    /**
     * A new run, with a new factory (it remembers what it built); null when the starter is not on the class path
     * (a support jar alone: nothing to configure from).
     *
     * @param settings the system settings ({@code AWS_*}, {@code aws.*}) the provider is configured from
     * @return the run, or null
     */
    public static BootstrapRun start(SettingsSource settings) {
        Object factory;
        try {
            factory = Class.forName(FACTORY, true, BootstrapRun.class.getClassLoader()).getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
        return new BootstrapRun((BootstrapCredentialsFactory) factory, settings);
    }

    /**
     * Notes what config data sees while it resolves the current import (asked before any resolver, for every
     * location). The {@link Binder} Spring Boot keeps in the bootstrap context is only refreshed between config-data
     * phases, so during the first phase (imports declared in {@code application.properties} or on the command line)
     * it holds nothing loaded from files; Spring Cloud AWS binds its own {@code spring.cloud.aws.*} from this view.
     *
     * @param binder the resolver context's binder, asked when the provider is built
     */
    public void resolving(Supplier<Binder> binder) {
        configData = binder;
    }

    /**
     * Builds the provider an import asked for, and keeps it until the hand-over. Configured from what config data
     * sees while the asking import is resolved; else from the bootstrap context's binder; else (asked outside
     * config-data processing) from nothing but the system settings.
     *
     * @param bootstrapBinder the bootstrap context's binder, or null when it has none
     * @return the provider
     * @throws IllegalStateException when {@code irsa.enabled=false} or IRSA is not configured
     */
    public IrsaCredentialsProvider provider(Supplier<Binder> bootstrapBinder) {
        IrsaCredentialsProvider p = factory.apply(binder(bootstrapBinder), settings);
        keep(p);
        return p;
    }

    private Binder binder(Supplier<Binder> bootstrapBinder) {
        Supplier<Binder> resolving = configData;
        Binder b = resolving == null ? null : resolving.get();
        if (b == null) {
            b = bootstrapBinder.get();
        }
        return b == null ? new Binder() : b;
    }

    /**
     * The bootstrap context closed: hands the provider (if any) to the application context, then warns if the
     * application's IRSA configuration differs from the import's. The close event can come more than once; only the
     * first does anything.
     *
     * @param applicationContext the application context the bootstrap context closed for
     */
    public void closed(ConfigurableApplicationContext applicationContext) {
        configData = null; // config data is done: let its sources go
        if (!handOver(applicationContext)) {
            return;
        }
        // The environment is complete now. Never throws; the provider was handed over first, so nothing here can
        // strand it.
        factory.accept(applicationContext.getEnvironment());
    }

    /** Keeps {@code p} until the hand-over, or hands it over now if that already happened. */
    private void keep(IrsaCredentialsProvider p) {
        ConfigurableApplicationContext c;
        synchronized (this) {
            c = context;
            if (c == null) {
                provider.set(p);
                return;
            }
        }
        handOver(c, p);
    }

    /** Hands the provider (if any) to {@code c}; false when a hand-over happened already. */
    private boolean handOver(ConfigurableApplicationContext c) {
        synchronized (this) {
            if (context != null) {
                return false;
            }
            context = c;
        }
        IrsaCredentialsProvider p = provider.getAndSet(null);
        if (p != null) {
            handOver(c, p);
        }
        return true;
    }

    private static void handOver(ConfigurableApplicationContext c, IrsaCredentialsProvider p) {
        if (c.getBeanFactory() instanceof DefaultSingletonBeanRegistry beans) {
            beans.registerDisposableBean(PROVIDER_BEAN, p::close);
        } else {
            p.close(); // the provider stays usable; only its hold on the session goes
        }
    }

    /**
     * The application failed to start. A failure after an import fetched credentials but before the bootstrap context
     * closed would otherwise keep the session and its refresh threads running until the JVM exits: the provider's
     * hold is released unless the context took it over. A failure once the context took it over but before it
     * refreshed (a listener on {@code ApplicationPreparedEvent} throwing, a bad source) is released too: closing a
     * context that was never refreshed destroys nothing. A failure while refreshing is covered by the context, which
     * destroys its beans.
     *
     * @param run this run, or null (none registered: the other Boot line's listener, or no starter)
     * @param applicationContext the context, or null when the start failed before it existed
     */
    public static void startFailed(BootstrapRun run, ConfigurableApplicationContext applicationContext) {
        if (run != null) {
            IrsaCredentialsProvider p = run.provider.getAndSet(null);
            if (p != null) {
                p.close();
            }
        }
        if (applicationContext != null && !applicationContext.isActive()) {
            try {
                if (applicationContext.getBeanFactory() instanceof DefaultSingletonBeanRegistry beans) {
                    beans.destroySingleton(PROVIDER_BEAN); // no-op when not there
                }
            } catch (IllegalStateException e) {
                // a refreshable context without a bean factory yet: it never took the provider over
            }
        }
    }
}
