package dev.irsa.spring.boot3;

import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.BootstrapContext;
import org.springframework.boot.BootstrapRegistry;
import org.springframework.boot.BootstrapRegistryInitializer;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Offers IRSA credentials to config-data imports ({@code spring.config.import=aws-parameterstore:...},
 * {@code aws-secretsmanager:...}) through Spring Boot 3's bootstrap registry, before the application context exists.
 *
 * <p>Guarantees: the provider is built only when an import first asks for it, from the {@code irsa.*} properties
 * config data sees while resolving that import (command line, system properties, environment, and the files loaded
 * so far: the one declaring the import and those before it; see {@link ConfigDataBinderTracker}), exactly as the application's bean is built, so both hold one shared session (one STS
 * call per refresh). With {@code irsa.enabled=false}, or IRSA not configured, asking for it fails as for an
 * unregistered type, and Spring Cloud AWS uses its own credentials. A provider registered earlier by someone else wins.
 * The provider's hold on the session is released when the application context closes, or, when the start fails
 * before the context exists, by {@link FailedStartRelease}. When the IRSA configuration the application resolves (read
 * once the environment is complete) differs from the import's, one warning names what differs.
 * @since 0.1.0
 */
public final class IrsaBootstrapRegistryInitializer implements BootstrapRegistryInitializer {
    /** In irsa-spring-starter, which depends on this jar: reached by name (see the starter's RuntimeHints). */
    static final String FACTORY = "dev.irsa.spring.IrsaBootstrapCredentials";
    /** The disposable bean through which the application context releases the bootstrap provider. */
    static final String PROVIDER_BEAN = "irsaBootstrapCredentialsProvider";
    private final SettingsSource settings;

    /** Creates an initializer that reads its settings from the system environment and system properties. */
    public IrsaBootstrapRegistryInitializer() {
        this(SettingsSource.system());
    }

    IrsaBootstrapRegistryInitializer(SettingsSource settings) {
        this.settings = settings;
    }

    @Override
    public void initialize(BootstrapRegistry registry) {
        Object factory = factory();
        if (factory == null) {
            return; // the support jar without the starter: nothing to configure from
        }
        @SuppressWarnings("unchecked")
        BiFunction<Binder, SettingsSource, IrsaCredentialsProvider> build =
                (BiFunction<Binder, SettingsSource, IrsaCredentialsProvider>) factory;
        Hold hold = new Hold();
        ConfigDataBinderTracker.Latest latest = new ConfigDataBinderTracker.Latest();
        registry.registerIfAbsent(ConfigDataBinderTracker.Latest.class, BootstrapRegistry.InstanceSupplier.of(latest));
        registry.registerIfAbsent(Hold.class, BootstrapRegistry.InstanceSupplier.of(hold));
        registry.registerIfAbsent(AwsCredentialsProvider.class, context -> {
            IrsaCredentialsProvider p = build.apply(binder(context, latest), settings);
            hold.keep(p);
            return p;
        });
        // The close event can come more than once; only the first hands the provider over.
        registry.addCloseListener(event -> {
            latest.context = null; // config data is done: let its sources go
            if (!hold.handOver(event.getApplicationContext())) {
                return;
            }
            if (factory instanceof Consumer<?> check) {
                // The environment is complete now: warn if the application's IRSA configuration differs from the
                // import's. Never throws; the provider was handed over first, so nothing here can strand it.
                @SuppressWarnings("unchecked")
                Consumer<Environment> compare = (Consumer<Environment>) check;
                compare.accept(event.getApplicationContext().getEnvironment());
            }
        });
    }

    /**
     * The bootstrap provider until the context takes it over (or a failed start lets it go); registered in the
     * bootstrap context, one per application run. A provider first asked for after the hand-over (by a close listener
     * running after ours) is handed to the context at once.
     */
    static final class Hold {
        final AtomicReference<IrsaCredentialsProvider> provider = new AtomicReference<>();
        /** The application context, once the bootstrap context closed; guarded by this. */
        private ConfigurableApplicationContext context;

        /** Keeps {@code p} until the hand-over, or hands it over now if that already happened. */
        void keep(IrsaCredentialsProvider p) {
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
        boolean handOver(ConfigurableApplicationContext c) {
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

        /** Releases the provider's hold on its session, unless the context took the provider over already. */
        void release() {
            IrsaCredentialsProvider p = provider.getAndSet(null);
            if (p != null) {
                p.close();
            }
        }
    }

    /**
     * What config data sees while the asking import is resolved (as Spring Cloud AWS binds its own properties); else
     * the bootstrap context's binder; else (asked outside config-data processing) nothing.
     */
    private static Binder binder(BootstrapContext context, ConfigDataBinderTracker.Latest latest) {
        Binder b = latest.binder();
        if (b != null) {
            return b;
        }
        return context.isRegistered(Binder.class) ? context.get(Binder.class) : new Binder();
    }

    /**
     * A new factory (one per run: it remembers what it built): a {@code BiFunction<Binder, SettingsSource,
     * IrsaCredentialsProvider>}, and a {@code Consumer<Environment>} that compares the application's settings with it.
     */
    private static Object factory() {
        try {
            return Class.forName(FACTORY, true,
                    IrsaBootstrapRegistryInitializer.class.getClassLoader()).getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }
}
