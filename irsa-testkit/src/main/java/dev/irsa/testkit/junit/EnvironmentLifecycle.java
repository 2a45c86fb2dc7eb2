package dev.irsa.testkit.junit;

import dev.irsa.testkit.internal.LibraryState;
import dev.irsa.testkit.internal.StoredFixture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;

/**
 * The lifecycle both emulator extensions give their environment: the broker's and the database's
 * ({@link StoredFixture}, the environment kept in JUnit's {@link ExtensionContext.Store}), so that it follows JUnit's
 * semantics as theirs do. Registered in a {@code static} field (JUnit then calls before-all), one environment serves
 * the class and its {@code @Nested} classes: reset and given a fresh token before each test, closed once, with the
 * class's context. In an instance field each test starts its own, closed with the test's context. Either way what
 * irsa-java keeps for the whole process is reset before each test, so a test counts only its own calls.
 *
 * @param <E> the environment
 */
final class EnvironmentLifecycle<E> {
    private final String name;
    private final StoredFixture<E> fixture;
    /**
     * The environment the store holds, for the extensions' accessors, which have no context to look it up with (a
     * test calls {@code irsa.roleArn()}); the store alone decides when one starts and closes.
     */
    private final AtomicReference<E> running = new AtomicReference<>();

    /**
     * @param extension the extension's class, the store's namespace
     * @param name what the environment is called in the errors outside a test ("IRSA")
     * @param type the environment's type, the type of the test parameters resolved
     * @param start starts a configured environment
     * @param reset clears the environment's faults and call logs
     * @param rotateToken writes a fresh projected token
     * @param close closes the environment
     */
    EnvironmentLifecycle(Class<?> extension, String name, Class<E> type, Supplier<E> start, Consumer<E> reset,
            Consumer<E> rotateToken, Consumer<E> close) {
        this.name = name;
        this.fixture = new StoredFixture<>(extension, type, name + " environment", () -> {
            E env = start.get();
            running.set(env);
            return env;
        }, env -> {
            reset.accept(env);
            rotateToken.accept(env);
        }, env -> {
            running.compareAndSet(env, null);
            close.accept(env);
        });
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

    void beforeAll(ExtensionContext context) {
        fixture.beforeAll(context);
    }

    void beforeEach(ExtensionContext context) {
        LibraryState.reset();
        fixture.beforeEach(context);
    }

    boolean supports(ParameterContext p) {
        return fixture.supports(p);
    }

    E resolve(ExtensionContext e) {
        return fixture.resolve(e);
    }

    E environment() {
        E env = running.get();
        if (env == null) {
            throw new IllegalStateException("The " + name + " environment runs only while a test of this class runs");
        }
        return env;
    }
}
