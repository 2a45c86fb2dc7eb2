package dev.irsa.spring;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import java.util.function.BiFunction;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;

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
 * @since 0.1.0
 */
public final class IrsaBootstrapCredentials implements BiFunction<Binder, SettingsSource, IrsaCredentialsProvider> {
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
        return IrsaAutoConfiguration.builder(p, settings).build();
    }
}
