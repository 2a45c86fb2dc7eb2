package dev.irsa.spring;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.spring.common.internal.BootstrapCredentialsFactory;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Builds the bootstrap-registry provider (the one {@code spring.config.import=aws-parameterstore:...} and
 * {@code aws-secretsmanager:...} sign with) from the {@code irsa.*} properties the config-data {@link Binder} sees,
 * exactly as {@link IrsaAutoConfiguration} builds the application's bean: alike properties give alike configurations,
 * and so one shared session for import and application.
 *
 * <p>Instantiated by name by the bootstrap logic the Boot-line support jars share ({@code irsa-spring-common}, which
 * cannot depend on this jar: this jar depends on it), as a {@code BiFunction<Binder, SettingsSource,
 * IrsaCredentialsProvider>} and a {@code Consumer<Environment>}. Throws {@link IllegalStateException}, which is what
 * the bootstrap context throws for a type nobody registered, when {@code irsa.enabled=false} or IRSA is not
 * configured: Spring Cloud AWS then falls back to its own credentials, as if we had not registered at all.
 *
 * <p>Config data resolves an import before it loads what comes later (profile-specific files after an import declared
 * in {@code application.properties}, files imported after it), so the import can see fewer settings than the
 * application. {@link #accept(Environment)}, called with the application's complete environment, compares the IRSA
 * configuration each side resolves (the import from system settings, the application from its environment, as its
 * bean does) and, when they would not share one session, logs one warning naming what differs (values shortened;
 * none of these settings is a secret).
 *
 * <p>One instance per application run; thread-safe.
 * @since 0.1.0
 */
public final class IrsaBootstrapCredentials implements BootstrapCredentialsFactory {
    private static final Logger log = LoggerFactory.getLogger(IrsaBootstrapCredentials.class);

    /** What the import resolved: its configuration, or why it got no provider; null until it asked. */
    private volatile Side imported;

    /** One side's resolved IRSA configuration, or why it has none. */
    private record Side(IrsaConfig config, String without) {
    }

    /** Creates the function; the support jars' bootstrap logic instantiates it by name, once per application run. */
    public IrsaBootstrapCredentials() {
    }

    @Override
    public IrsaCredentialsProvider apply(Binder binder, SettingsSource settings) {
        IrsaProperties p = binder.bind("irsa", Bindable.of(IrsaProperties.class)).orElseGet(IrsaProperties::new);
        Side side = side(p, settings);
        imported = side;
        if (side.without != null) {
            throw new IllegalStateException("IRSA's AwsCredentialsProvider is not offered to config-data imports: "
                    + side.without);
        }
        // Never eager here: the import asks for credentials at once anyway, and reports its own failure.
        return IrsaAutoConfiguration.builder(p, settings).build();
    }

    /** The configuration {@code p} and {@code settings} resolve to, or why there is none (as a property name says). */
    private static Side side(IrsaProperties p, SettingsSource settings) {
        if (!p.isEnabled()) {
            return new Side(null, "irsa.enabled=false");
        }
        boolean configured = (p.getRoleArn() != null && p.getTokenFile() != null) || IrsaConfig.isConfigured(settings);
        if (!configured) {
            return new Side(null, "IRSA is not configured (no AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE, no"
                    + " irsa.role-arn/irsa.token-file)");
        }
        try {
            return new Side(IrsaAutoConfiguration.irsaConfig(p, settings), null);
        } catch (RuntimeException e) {
            // The provider reports an invalid configuration itself, on use; it cannot share a session either way.
            return new Side(null, "IRSA is misconfigured (" + e.getMessage() + ")");
        }
    }

    /**
     * Compares the IRSA configuration the application resolves (its complete environment: {@code irsa.*}, and the
     * {@code aws.*}/{@code AWS_*} settings as the application's bean reads them) with the import's, and logs one
     * warning naming what differs, unless both give one session (or neither uses IRSA). Never throws: a property
     * that does not bind is reported by the application's own binding.
     *
     * @param environment the application's environment, once config data is complete
     */
    @Override
    public void accept(Environment environment) {
        Side before = imported;
        if (before == null) {
            return;
        }
        Side now;
        try {
            now = side(Binder.get(environment).bind("irsa", Bindable.of(IrsaProperties.class))
                    .orElseGet(IrsaProperties::new), new EnvironmentSettings(environment));
        } catch (RuntimeException e) {
            log.debug("IRSA: could not compare the application's IRSA configuration with the config-data import's", e);
            return;
        }
        List<String> differ = new ArrayList<>();
        if (before.config == null || now.config == null) {
            if (before.config == null && now.config == null) {
                return; // neither side uses IRSA
            }
            differ.add("import: " + (before.config == null ? before.without : "IRSA") + ", application: "
                    + (now.config == null ? now.without : "IRSA"));
        } else {
            differ.addAll(before.config.sessionDifferences(now.config, "import", "application"));
            if (differ.isEmpty()) {
                return; // one session for both
            }
        }
        log.warn("IRSA: the config-data import (spring.config.import) got its credentials with an IRSA configuration"
                + " that differs from the application's: {}. Spring set the application's settings after it resolved the"
                + " import (e.g. in a profile-specific file, or a file imported later), so the import did not see"
                + " them and signed with an IRSA session of its own. Declare these irsa.* (and aws.*) settings where the"
                + " import sees them: on the command line, as environment variables or system properties, or in the"
                + " file that declares spring.config.import or one loaded before it.", String.join("; ", differ));
    }
}
