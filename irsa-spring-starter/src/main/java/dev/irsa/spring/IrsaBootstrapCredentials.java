package dev.irsa.spring;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Consumer;
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
 * <p>Called by name by the Boot-line support jars' {@code IrsaBootstrapRegistryInitializer} (they cannot depend on
 * this jar, which depends on them). Throws {@link IllegalStateException}, which is what the bootstrap context throws
 * for a type nobody registered, when {@code irsa.enabled=false} or IRSA is not configured: Spring Cloud AWS then falls
 * back to its own credentials, as if we had not registered at all.
 *
 * <p>Config data resolves an import before it loads what comes later (profile-specific files after an import declared
 * in {@code application.properties}, files imported after it), so the import can see fewer {@code irsa.*} than the
 * application. {@link #accept(Environment)}, called with the application's complete environment, logs one warning
 * naming the keys whose values differ (values shortened; none of these settings is a secret).
 *
 * <p>One instance per application run; thread-safe.
 * @since 0.1.0
 */
public final class IrsaBootstrapCredentials implements BiFunction<Binder, SettingsSource, IrsaCredentialsProvider>,
        Consumer<Environment> {
    private static final Logger log = LoggerFactory.getLogger(IrsaBootstrapCredentials.class);
    /** Longest value shown in the warning (an inline policy can be 2048 characters). */
    private static final int SHOWN = 40;

    /** What the provider was built from; null until it is. */
    private volatile Map<String, Object> built;

    /** Creates the function; the support jars' {@code IrsaBootstrapRegistryInitializer} instantiates it by name. */
    public IrsaBootstrapCredentials() {
    }

    @Override
    public IrsaCredentialsProvider apply(Binder binder, SettingsSource settings) {
        IrsaProperties p = binder.bind("irsa", Bindable.of(IrsaProperties.class)).orElseGet(IrsaProperties::new);
        if (!p.isEnabled()) {
            throw new IllegalStateException("IRSA's AwsCredentialsProvider is not offered to config-data imports:"
                    + " irsa.enabled=false");
        }
        boolean configured = (p.getRoleArn() != null && p.getTokenFile() != null) || IrsaConfig.isConfigured(settings);
        if (!configured) {
            throw new IllegalStateException("IRSA's AwsCredentialsProvider is not offered to config-data imports: IRSA is"
                    + " not configured (no AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE, no irsa.role-arn/irsa.token-file)");
        }
        // Never eager here: the import asks for credentials at once anyway, and reports its own failure.
        IrsaCredentialsProvider provider = IrsaAutoConfiguration.builder(p, settings).build();
        built = settingsOf(p);
        return provider;
    }

    /**
     * Compares the application's {@code irsa.*} (its complete environment) with what the provider was built from,
     * and logs one warning naming the keys that differ. Does nothing when no provider was built. Never throws: a
     * property that does not bind is reported by the application's own binding.
     *
     * @param environment the application's environment, once config data is complete
     */
    @Override
    public void accept(Environment environment) {
        Map<String, Object> before = built;
        if (before == null) {
            return;
        }
        Map<String, Object> now;
        try {
            now = settingsOf(Binder.get(environment).bind("irsa", Bindable.of(IrsaProperties.class))
                    .orElseGet(IrsaProperties::new));
        } catch (RuntimeException e) {
            log.debug("IRSA: could not compare the application's irsa.* with the config-data import's", e);
            return;
        }
        List<String> differ = new ArrayList<>();
        before.forEach((key, value) -> {
            Object app = now.get(key);
            if (!Objects.equals(value, app)) {
                differ.add(key + " (import: " + shown(value) + ", application: " + shown(app) + ")");
            }
        });
        if (!differ.isEmpty()) {
            log.warn("IRSA: the config-data import (spring.config.import) got its credentials with irsa.* settings"
                    + " that differ from the application's: {}. Spring set the application's after it resolved the"
                    + " import (e.g. in a profile-specific file, or a file imported later), so the import did not see"
                    + " them and signed with an IRSA session of its own. Declare these irsa.* where the import sees"
                    + " them: on the command line, as environment variables or system properties, or in the file that"
                    + " declares spring.config.import or one loaded before it.", String.join(", ", differ));
        }
    }

    /** The settings the provider is built from, by property name, in a stable order. */
    private static Map<String, Object> settingsOf(IrsaProperties p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("irsa.enabled", p.isEnabled());
        m.put("irsa.role-arn", p.getRoleArn());
        m.put("irsa.token-file", p.getTokenFile());
        m.put("irsa.session-name", p.getSessionName());
        m.put("irsa.region", p.getRegion());
        m.put("irsa.sts-endpoint", p.getStsEndpoint());
        m.put("irsa.session-duration", p.getSessionDuration());
        m.put("irsa.session-policy", p.getSessionPolicy());
        m.put("irsa.policy-arns", List.copyOf(p.getPolicyArns()));
        m.put("irsa.connect-timeout", p.getConnectTimeout());
        m.put("irsa.read-timeout", p.getReadTimeout());
        IrsaProperties.Refresh r = p.getRefresh();
        m.put("irsa.refresh.background", r.isBackground());
        m.put("irsa.refresh.mandatory-window", r.getMandatoryWindow());
        m.put("irsa.refresh.backoff-base", r.getBackoffBase());
        m.put("irsa.refresh.backoff-max", r.getBackoffMax());
        m.put("irsa.refresh.expired-backoff-max", r.getExpiredBackoffMax());
        m.put("irsa.refresh.wait-timeout", r.getWaitTimeout());
        m.put("irsa.refresh.non-recoverable-error-ttl", r.getNonRecoverableErrorTtl());
        return m;
    }

    private static String shown(Object value) {
        if (value == null || (value instanceof List<?> l && l.isEmpty())) {
            return "unset";
        }
        String s = String.valueOf(value);
        return s.length() <= SHOWN ? "'" + s + "'" : "'" + s.substring(0, SHOWN) + "...' (" + s.length() + " chars)";
    }
}
