package dev.irsa.testkit.junit;

import dev.irsa.testkit.internal.LibraryState;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ParameterContext;

/**
 * The lifecycle both emulator extensions give their environment. Registered in a {@code static} field (JUnit then
 * calls before-all), one environment serves the class: reset and given a fresh token before each test, closed after
 * the class. In an instance field each test starts its own and closes it after itself. Either way what irsa-java keeps
 * for the whole process is reset before each test, so a test counts only its own calls.
 *
 * @param <E> the environment
 */
final class EnvironmentLifecycle<E> {
    private final String name;
    private final Class<E> type;
    private final Supplier<E> start;
    private final Consumer<E> reset;
    private final Consumer<E> rotateToken;
    private final Consumer<E> close;
    private E env;
    private boolean perClass;

    /**
     * @param name what the environment is called in the error outside a test ("IRSA")
     * @param type the environment's type, the type of the test parameters resolved
     * @param start starts a configured environment
     * @param reset clears the environment's faults and call logs
     * @param rotateToken writes a fresh projected token
     * @param close closes the environment
     */
    EnvironmentLifecycle(String name, Class<E> type, Supplier<E> start, Consumer<E> reset, Consumer<E> rotateToken,
            Consumer<E> close) {
        this.name = name;
        this.type = type;
        this.start = start;
        this.reset = reset;
        this.rotateToken = rotateToken;
        this.close = close;
    }

    /** Starts an environment from a new {@code builder} that {@code customizer} configured. */
    static <B, E> Supplier<E> configured(Supplier<B> builder, Consumer<B> customizer,
            Function<B, E> start) {
        return () -> {
            B b = builder.get();
            customizer.accept(b);
            return start.apply(b);
        };
    }

    void beforeAll() {
        perClass = true;
        env = start.get();
    }

    void beforeEach() {
        LibraryState.reset();
        if (env == null) {
            env = start.get();
        } else {
            reset.accept(env);
            rotateToken.accept(env);
        }
    }

    void afterEach() {
        if (!perClass) {
            close();
        }
    }

    void afterAll() {
        close();
    }

    boolean supports(ParameterContext p) {
        return p.getParameter().getType() == type;
    }

    E environment() {
        if (env == null) {
            throw new IllegalStateException("The " + name + " environment runs only while a test of this class runs");
        }
        return env;
    }

    private void close() {
        if (env != null) {
            close.accept(env);
            env = null;
        }
    }
}
