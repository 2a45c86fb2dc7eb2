package dev.irsa.quarkus.internal;

import dev.irsa.core.SettingsSource;
import io.quarkus.runtime.configuration.ConfigBuilder;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigSourceInterceptorFactory;
import io.smallrye.config.ConfigMappings;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Converters;
import io.smallrye.config.DefaultValuesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * Points the Quarkiverse Amazon Services clients of the application at the {@code irsa} bean in place of their own
 * default: for each of their configuration roots ({@code quarkus.s3}, {@code quarkus.sqs}, ...), a lookup of
 * {@code <root>.aws.credentials.type} that only their own {@code @WithDefault} answers is answered {@code custom}, and then
 * {@code <root>.aws.credentials.custom-provider.name} {@code irsa}, when IRSA or EKS Pod Identity is configured (the
 * bean's own test, {@code Providers.configured}) and {@code quarkus.irsa.active} converts to true. Named clients'
 * names ({@code <root>."<name>".aws.credentials.*}) get the same answers by the same rule. Their recorder gives a named
 * client the unnamed client's credentials when its own credentials group is absent (SmallRye makes an optional group
 * from property names, which a default does not add), so the unnamed client's answer, or the user's type, reaches it
 * then; with a property of its own in that group and no type, its type is its own {@code @WithDefault}, which is
 * answered here.
 *
 * <p>Decided at lookup time by a configuration interceptor, not from a list of sources made up front: a
 * {@code ConfigSourceFactory} sees neither the sources other factories make (quarkus-kubernetes-config's ConfigMaps)
 * nor environment variables under their dotted names, so a decision made there could differ from the one the bean
 * makes from the finished configuration. Its priority is negative, so SmallRye calls it only for names that no source
 * of non-negative ordinal has (every source a user or a dev service writes); what it reads ({@code quarkus.irsa.*},
 * the pod's variables) it reads again from the top of the chain, as the bean does. Below it, a value is theirs only
 * where SmallRye's default-values source holds exactly their mapping's declared default: that source also holds the
 * run-time defaults of build steps ({@code RunTimeConfigurationDefaultBuildItem}, where Quarkus puts the results of
 * dev services such as their LocalStack one, {@code type=static}), which win. Elsewhere (a developer's laptop)
 * their default chain stays; their default would otherwise be the SDK's {@code DefaultCredentialsProvider}, whose
 * web-identity provider starts a second session of its own, blocking callers on refresh.
 */
public final class QuarkiverseCredentials implements ConfigBuilder {
    /**
     * The ordinal the answers carry: below every source a user or a dev service writes, so SmallRye's profile
     * interceptor prefers any {@code %profile.} value of those to them; above only SmallRye's default-values source
     * ({@code Integer.MIN_VALUE}).
     */
    static final int ORDINAL = Integer.MIN_VALUE + 100;
    /**
     * Negative: SmallRye chains interceptors of negative priority between the sources of non-negative ordinal and those
     * of negative ordinal (the {@code @WithDefault}s).
     */
    static final int PRIORITY = -100;
    /** The extension's bean, as {@code IrsaProcessor} names it. */
    static final String BEAN_NAME = "irsa";
    /** The answers' source name, as Quarkus reports it. */
    static final String NAME = "irsa: Quarkiverse Amazon clients use the irsa bean";
    private static final String TYPE = ".aws.credentials.type";
    private static final String PROVIDER_NAME = ".aws.credentials.custom-provider.name";
    /** The segment that stands for any named client in SmallRye's names of a map's entries. */
    private static final String ANY_CLIENT = "*";
    /**
     * The names of each configuration root of the application's Quarkiverse clients (the unnamed client's, and the
     * named clients' with a {@code *} segment), each to its mapping's declared default ({@code ""} for none), found at
     * build time (STATIC_INIT).
     */
    private static volatile Map<String, String> declared = Map.of();

    /** Created by Quarkus when it builds the run-time configuration. */
    public QuarkiverseCredentials() {
    }

    /**
     * Sets what {@link #declaredDefaults} found for the application's Quarkiverse clients (recorded at build time).
     *
     * @param defaults the names of each root, each to its declared default
     */
    static void clients(Map<String, String> defaults) {
        declared = Map.copyOf(defaults);
    }

    /**
     * The names this class answers for each of Quarkiverse's configuration mappings, each to the default the mapping
     * declares ({@code @WithDefault}; {@code ""} for none): the value SmallRye puts in its default-values source unless
     * a run-time default of a build step is there first. Two for the unnamed client, and two with a {@code *} segment
     * for every named one ({@code quarkus.s3."<name>".*}: their clients map is {@code @WithDefaults}, so a named
     * client's declared defaults are its own, not the unnamed client's values).
     *
     * @param mappings their client configuration roots, e.g. {@code S3Config} at {@code quarkus.s3}
     * @return {@code quarkus.s3.aws.credentials.type} and {@code quarkus.s3.*.aws.credentials.type} to
     *         {@code default}, and so on
     */
    public static Map<String, String> declaredDefaults(Collection<ConfigMappings.ConfigClass> mappings) {
        Map<String, String> defaults = new TreeMap<>();
        for (ConfigMappings.ConfigClass mapping : mappings) {
            for (String client : List.of("", "." + ANY_CLIENT)) {
                for (String suffix : List.of(TYPE, PROVIDER_NAME)) {
                    String name = mapping.getPrefix() + client + suffix;
                    String value = mapping.getProperties().get(name);
                    defaults.put(name, value == null ? "" : value);
                }
            }
        }
        return defaults;
    }

    @Override
    public SmallRyeConfigBuilder configBuilder(SmallRyeConfigBuilder builder) {
        return builder.withInterceptorFactories(new ConfigSourceInterceptorFactory() {
            @Override
            public ConfigSourceInterceptor getInterceptor(ConfigSourceInterceptorContext context) {
                return new Defaults(declared); // recorded by now: the run-time configuration is built after STATIC_INIT
            }

            @Override
            public OptionalInt getPriority() {
                return OptionalInt.of(PRIORITY);
            }
        });
    }

    /**
     * The interceptor: answers the two names of each client of each root, where nothing else does and the bean is to be
     * used.
     */
    static final class Defaults implements ConfigSourceInterceptor {
        @Serial
        private static final long serialVersionUID = 1L;
        private static final Converter<String> STRING = Converters.getImplicitConverter(String.class);
        private static final Converter<Boolean> BOOLEAN = Converters.getImplicitConverter(Boolean.class);
        /** The unnamed clients' names, each to its mapping's declared default ({@code ""} for none). */
        private final Map<String, String> unnamed = new HashMap<>();
        /** The named clients' names: per root and suffix, the pattern one client's segment completes. */
        private final List<NamedClients> named = new ArrayList<>();

        Defaults(Map<String, String> declared) {
            for (Map.Entry<String, String> e : declared.entrySet()) {
                String name = e.getKey();
                String suffix = name.endsWith(TYPE) ? TYPE : PROVIDER_NAME;
                String root = name.substring(0, name.length() - suffix.length());
                if (root.endsWith("." + ANY_CLIENT)) {
                    named.add(new NamedClients(root.substring(0, root.length() - ANY_CLIENT.length()), suffix,
                            e.getValue()));
                } else {
                    unnamed.put(name, e.getValue());
                }
            }
        }

        @Override
        public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
            ConfigValue below = context.proceed(name);
            String declared = declaredDefault(name);
            if (declared == null || below != null && !isTheirDefault(below, declared)) {
                return below; // not theirs, or set by a source below (or a build step's run-time default)
            }
            boolean isType = name.endsWith(TYPE);
            boolean answer = isType
                    ? useIrsa(context)
                    // the bean's name goes with the type answered here, never with a type of the user's
                    : isOurs(context.restart(name.substring(0, name.length() - PROVIDER_NAME.length()) + TYPE));
            return answer ? ConfigValue.builder().withName(name).withValue(isType ? "custom" : BEAN_NAME)
                    .withConfigSourceName(NAME).withConfigSourceOrdinal(ORDINAL).build() : below;
        }

        /**
         * The default their mapping declares for one of the names answered here, an unnamed client's or a named one's
         * alike, or null for any other name: the one place that says which names are theirs.
         */
        private String declaredDefault(String name) {
            String declared = unnamed.get(name);
            if (declared != null) {
                return declared;
            }
            for (NamedClients clients : named) {
                if (clients.matches(name)) {
                    return clients.declared();
                }
            }
            return null;
        }

        /**
         * {@code <prefix><client><suffix>} for any one client segment: a name without dots, or a quoted one
         * ({@code quarkus.s3."my.bucket".aws.credentials.type}), as SmallRye spells a map key.
         */
        private record NamedClients(String prefix, String suffix, String declared) implements Serializable {
            boolean matches(String name) {
                if (name.length() <= prefix.length() + suffix.length() || !name.startsWith(prefix)
                        || !name.endsWith(suffix)) {
                    return false;
                }
                String client = name.substring(prefix.length(), name.length() - suffix.length());
                return client.length() > 1 && client.startsWith("\"") && client.endsWith("\"")
                        ? client.indexOf('"', 1) == client.length() - 1
                        : client.indexOf('.') < 0 && client.indexOf('"') < 0;
            }
        }

        /**
         * Their {@code @WithDefault}: SmallRye's default-values source holding exactly the declared default. The same
         * source holds build steps' run-time defaults, put before the mappings' defaults, which never replace them: a
         * value there other than the declared default is a build step's (one equal to it means the same anyway).
         */
        private static boolean isTheirDefault(ConfigValue value, String declared) {
            return DefaultValuesConfigSource.NAME.equals(value.getConfigSourceName())
                    && declared.equals(value.getValue());
        }

        private static boolean isOurs(ConfigValue value) {
            return value != null && NAME.equals(value.getConfigSourceName());
        }

        /** The bean's own tests, on the finished configuration: active, and IRSA or Pod Identity configured. */
        private static boolean useIrsa(ConfigSourceInterceptorContext context) {
            Optional<String> active = value(context, "quarkus.irsa.active");
            if (active.isPresent() && !Boolean.TRUE.equals(BOOLEAN.convert(active.get()))) {
                return false;
            }
            SettingsSource settings = new SettingsSource() {
                @Override
                public Optional<String> systemProperty(String name) {
                    return value(context, name);
                }

                @Override
                public Optional<String> environmentVariable(String name) {
                    return value(context, name);
                }
            };
            return Providers.configured(value(context, "quarkus.irsa.role-arn"),
                    value(context, "quarkus.irsa.token-file"), settings);
        }

        /**
         * A value as the bean reads it: from the top of the chain (profiles, expressions, every source), empty as
         * unset (SmallRye's converters).
         */
        private static Optional<String> value(ConfigSourceInterceptorContext context, String name) {
            ConfigValue v = context.restart(name);
            return v == null || v.getValue() == null ? Optional.empty() : Optional.ofNullable(STRING.convert(v.getValue()));
        }
    }
}
