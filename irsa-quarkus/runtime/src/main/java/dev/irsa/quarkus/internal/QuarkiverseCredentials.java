package dev.irsa.quarkus.internal;

import dev.irsa.core.CredentialSource;
import dev.irsa.core.SettingsSource;
import io.quarkus.runtime.configuration.ConfigBuilder;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Points the Quarkiverse Amazon Services clients of the application at the {@code irsa} bean, as defaults: for each
 * of their configuration roots ({@code quarkus.s3}, {@code quarkus.sqs}, ...), {@code aws.credentials.type=custom}
 * and {@code aws.credentials.custom-provider.name=irsa}, with a low ordinal, so any value of the user's wins.
 *
 * <p>Only when IRSA or EKS Pod Identity is configured ({@code quarkus.irsa.role-arn} / {@code token-file}, or the
 * pod's variables), {@code quarkus.irsa.active} is not {@code false}, and nothing else sets any
 * {@code <root>.aws.credentials.*} property for that service (a user's own choice, or a dev service's static keys):
 * elsewhere (a developer's laptop) their default chain stays as it was. Their default would otherwise be the SDK's
 * {@code DefaultCredentialsProvider}, whose web-identity provider starts a second session of its own, blocking
 * callers on refresh. Named clients ({@code quarkus.s3."name".*}) fall back to these unless they set their own.
 */
public final class QuarkiverseCredentials implements ConfigBuilder {
    /**
     * Below every source a user or a dev service writes (the lowest, Quarkus's recorded run-time values, is 0), above
     * only the extensions' own {@code @WithDefault}s ({@code Integer.MIN_VALUE}).
     */
    static final int ORDINAL = Integer.MIN_VALUE + 100;
    /** The extension's bean, as {@code IrsaProcessor} names it. */
    static final String BEAN_NAME = "irsa";
    /** The source's name, as Quarkus lists it. */
    static final String NAME = "irsa: Quarkiverse Amazon clients use the irsa bean";
    /** The configuration roots of the application's Quarkiverse clients, found at build time (STATIC_INIT). */
    private static volatile List<String> roots = List.of();

    /** Created by Quarkus when it builds the run-time configuration. */
    public QuarkiverseCredentials() {
    }

    /**
     * Sets the configuration roots of the application's Quarkiverse clients (recorded at build time).
     *
     * @param prefixes e.g. {@code quarkus.s3}
     */
    static void roots(List<String> prefixes) {
        roots = List.copyOf(prefixes);
    }

    @Override
    public SmallRyeConfigBuilder configBuilder(SmallRyeConfigBuilder builder) {
        return builder.withSources(new Factory());
    }

    /** The defaults, decided from the other sources. */
    static final class Factory implements ConfigSourceFactory {
        @Override
        public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
            Map<String, String> defaults = defaults(roots, context);
            return defaults.isEmpty() ? List.of() : List.of(new PropertiesConfigSource(defaults, NAME, ORDINAL));
        }

        @Override
        public OptionalInt getPriority() {
            return OptionalInt.of(ORDINAL);
        }
    }

    static Map<String, String> defaults(List<String> roots, ConfigSourceContext context) {
        Map<String, String> defaults = new LinkedHashMap<>();
        if (roots.isEmpty() || value(context, "quarkus.irsa.active").filter("false"::equalsIgnoreCase).isPresent()
                || !configured(context)) {
            return defaults;
        }
        for (String root : roots) {
            if (!anyNameStartsWith(context, root + ".aws.credentials.")) {
                defaults.put(root + ".aws.credentials.type", "custom");
                defaults.put(root + ".aws.credentials.custom-provider.name", BEAN_NAME);
            }
        }
        return defaults;
    }

    /** The same test as the bean's ({@link Providers}): the extension's own properties, or the pod's variables. */
    private static boolean configured(ConfigSourceContext context) {
        if (value(context, "quarkus.irsa.role-arn").isPresent() || value(context, "quarkus.irsa.token-file").isPresent()) {
            return true;
        }
        return CredentialSource.anyConfigured(new SettingsSource() {
            @Override
            public Optional<String> systemProperty(String name) {
                return value(context, name);
            }

            @Override
            public Optional<String> environmentVariable(String name) {
                return value(context, name);
            }
        });
    }

    /** Whether a source that outranks these defaults (not an extension's {@code @WithDefault}) sets such a name. */
    private static boolean anyNameStartsWith(ConfigSourceContext context, String prefix) {
        List<String> profiles = context.getProfiles();
        for (ConfigSource source : context.getConfigSources()) {
            if (source.getOrdinal() <= ORDINAL) {
                continue;
            }
            for (String name : source.getPropertyNames()) {
                if (name.startsWith(prefix)) {
                    return true;
                }
                // an active profile's value (%prod.quarkus.s3.aws.credentials.type) is the user's choice as well
                for (String profile : profiles) {
                    if (name.startsWith("%" + profile + "." + prefix)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** A value set to something: blank values (how test resources hide a runner's variables) count as unset. */
    private static Optional<String> value(ConfigSourceContext context, String name) {
        ConfigValue v = context.getValue(name);
        return v == null || v.getValue() == null || v.getValue().isBlank() ? Optional.empty() : Optional.of(v.getValue());
    }
}
