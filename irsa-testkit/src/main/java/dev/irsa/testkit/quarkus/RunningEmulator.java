package dev.irsa.testkit.quarkus;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager.TestInjector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What both emulator resources do with their arguments and their environment: the {@code initArgs} configure the
 * environment's builder, the started environment's variables become the application's configuration with the other
 * mechanism's variables blanked, a field annotated {@link InjectEmulator} of the environment's type receives it, and
 * stopping closes it.
 *
 * @param <E> the environment
 */
final class RunningEmulator<E> {
    /**
     * The application's own settings that would override the variables given here (an explicit
     * {@code quarkus.irsa.sts-endpoint} wins over {@code AWS_ENDPOINT_URL_STS}, an explicit role ARN and token file
     * select IRSA over Pod Identity): blanked, so that a test never sends the emulator's token to the application's
     * endpoint (a VPC endpoint, real STS) or uses the application's role.
     */
    static final List<String> APPLICATION_KEYS = List.of("quarkus.irsa.role-arn", "quarkus.irsa.token-file",
            "quarkus.irsa.sts-endpoint", "quarkus.irsa.region");
    private final Class<E> type;
    private final List<String> blanked;
    private final Consumer<E> close;
    private Map<String, String> args = Map.of();
    private E environment;

    /**
     * @param type the environment's type, that of the fields injected
     * @param blanked the other mechanism's variables and system properties, hidden from the application
     * @param close closes the environment
     */
    RunningEmulator(Class<E> type, List<String> blanked, Consumer<E> close) {
        this.type = type;
        this.blanked = blanked;
        this.close = close;
    }

    void init(Map<String, String> initArgs) {
        this.args = Map.copyOf(initArgs);
    }

    /**
     * Hands the arguments given to the builder's setters; a namespace or service account alone keeps the other's
     * default.
     */
    void configure(Consumer<String> region, Consumer<String> accountId, Consumer<String> roleName,
            BiConsumer<String, String> serviceAccount) {
        if (args.containsKey("region")) {
            region.accept(args.get("region"));
        }
        if (args.containsKey("account-id")) {
            accountId.accept(args.get("account-id"));
        }
        if (args.containsKey("role-name")) {
            roleName.accept(args.get("role-name"));
        }
        if (args.containsKey("namespace") || args.containsKey("service-account")) {
            serviceAccount.accept(args.getOrDefault("namespace", "default"), args.getOrDefault("service-account", "app"));
        }
    }

    /** Keeps {@code started} for injection and stopping; returns its variables as the application's configuration. */
    Map<String, String> started(E started, Function<E, Map<String, String>> variables) {
        environment = started;
        Map<String, String> config = new LinkedHashMap<>(variables.apply(started));
        // an empty value hides the test runner's own variable from the application's configuration
        for (String key : blanked) {
            config.put(key, "");
        }
        for (String key : APPLICATION_KEYS) {
            config.put(key, "");
        }
        return config;
    }

    /** The running environment; refuses before start and after stop. */
    E environment() {
        if (environment == null) {
            throw new IllegalStateException("The " + type.getSimpleName() + " runs only between start() and stop()");
        }
        return environment;
    }

    void inject(TestInjector injector) {
        injector.injectIntoFields(environment, new TestInjector.AnnotatedAndMatchesType(InjectEmulator.class, type));
    }

    void stop() {
        if (environment != null) {
            close.accept(environment);
            environment = null;
        }
    }
}
