package dev.irsa.testkit.junit;

import dev.irsa.testkit.internal.LibraryState;
import dev.irsa.testkit.internal.StoredFixture;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;

/**
 * The lifecycle both emulator extensions give their environment: the broker's and the database's
 * ({@link StoredFixture}, the environment kept in JUnit's {@link ExtensionContext.Store}), so that it follows JUnit's
 * semantics as theirs do. Wherever JUnit calls before-all on the extension (a {@code static} field; an instance field
 * under {@code @TestInstance(PER_CLASS)}, whose one test instance serves the class), one environment serves the class
 * and its {@code @Nested} classes: reset and given a fresh token before each test, closed once, with the class's
 * context. In an instance field under the default per-method lifecycle each test starts its own, closed with the
 * test's context. Either way what irsa-java keeps for the whole process is reset before each test, so a test counts
 * only its own calls.
 * <p>
 * Parallel execution: classes may run at the same time, each with its own environment, also when they inherit one
 * static field; parameters are always the test's own, and the accessors refuse while the extension serves more than
 * one running environment rather than guess. Methods may run at the same time only with an environment each (an
 * instance field, per-method lifecycle): a shared one is reset before each test, under the tests still running.
 *
 * @param <E> the environment
 */
final class EnvironmentLifecycle<E> {
    private final String name;
    private final Class<E> type;
    private final StoredFixture<E> fixture;
    /**
     * The environments the store holds, for the extensions' accessors, which have no context to look one up with (a
     * test calls {@code irsa.roleArn()}); the store alone decides when one starts and closes. More than one when a
     * static field inherited by several classes serves those that run at the same time: the accessors cannot tell
     * which is the caller's then.
     */
    private final List<E> running = new CopyOnWriteArrayList<>();

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
        this.type = type;
        this.fixture = new StoredFixture<>(extension, type, name + " environment", () -> {
            E env = start.get();
            running.add(env);
            return env;
        }, env -> {
            reset.accept(env);
            rotateToken.accept(env);
        }, env -> {
            running.remove(env);
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
        Object[] now = running.toArray();
        if (now.length == 0) {
            throw new IllegalStateException("The " + name + " environment runs only while a test of this class runs");
        }
        if (now.length > 1) {
            throw new IllegalStateException(now.length + " " + name + " environments run at once from this extension"
                    + " (a static field of a class that several test classes running in parallel inherit): take the "
                    + type.getSimpleName() + " as a parameter of the test, @BeforeEach or @BeforeAll method instead,"
                    + " which is always the test's own");
        }
        return type.cast(now[0]);
    }
}
