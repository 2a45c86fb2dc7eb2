package dev.irsa.testkit.internal;

import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;

/**
 * The lifecycle the broker's and the database's JUnit extensions give their fixture, kept in JUnit's
 * {@link ExtensionContext.Store} rather than in the extension, so that the extension holds no state and runs safely
 * with JUnit's parallel execution. Registered in a {@code static} field (JUnit then calls before-all), one fixture
 * serves the class and its {@code @Nested} classes and is cleared before each test; in an instance field each test
 * starts its own. Either way the fixture is closed with the context it was started for, so after other extensions'
 * after-all callbacks.
 *
 * @param <T> the fixture
 */
public final class StoredFixture<T> {
    private final ExtensionContext.Namespace namespace;
    private final Class<?> extension;
    private final Class<T> type;
    private final String noun;
    private final Supplier<T> start;
    private final Consumer<T> clear;
    private final Consumer<T> close;

    /**
     * One per extension instance: it is the key of the fixture in the store.
     *
     * @param extension the extension's class, the store's namespace and named in the error when none runs
     * @param type the fixture's type, the type of the parameters resolved
     * @param noun what the fixture is called in that error ("broker")
     * @param start starts a fixture
     * @param clear clears what the fixture recorded, before each test
     * @param close closes the fixture
     */
    public StoredFixture(Class<?> extension, Class<T> type, String noun, Supplier<T> start, Consumer<T> clear,
            Consumer<T> close) {
        this.namespace = ExtensionContext.Namespace.create(extension);
        this.extension = extension;
        this.type = type;
        this.noun = noun;
        this.start = start;
        this.clear = clear;
        this.close = close;
    }

    /** The extension's before-all callback. */
    public void beforeAll(ExtensionContext context) {
        if (running(context) != null) {
            return; // a @Nested class: its enclosing class's fixture serves it
        }
        startIn(context);
    }

    /** The extension's before-each callback. */
    public void beforeEach(ExtensionContext context) {
        // the store looks in the class's context too: a static field's fixture is found there
        Running<T> running = running(context);
        if (running == null) {
            startIn(context);
        } else {
            clear.accept(running.fixture());
        }
    }

    /** The extension's {@code supportsParameter}: parameters of the fixture's type. */
    public boolean supports(ParameterContext p) {
        return p.getParameter().getType() == type;
    }

    /** The extension's {@code resolveParameter}: the running fixture, or an error that says where to register it. */
    public T resolve(ExtensionContext e) {
        Running<T> running = running(e);
        if (running == null) {
            throw new ParameterResolutionException("No " + type.getSimpleName() + " runs for " + e.getDisplayName()
                    + ": register " + extension.getSimpleName() + " in a static field to use the " + noun
                    + " in @BeforeAll methods");
        }
        return running.fixture();
    }

    @SuppressWarnings("unchecked")
    private Running<T> running(ExtensionContext context) {
        return context.getStore(namespace).get(this, Running.class);
    }

    private void startIn(ExtensionContext context) {
        context.getStore(namespace).put(this, new Running<>(start.get(), close));
    }

    /**
     * What the store holds: closed by JUnit with its context. Both interfaces, so that JUnit closes it once whether
     * it closes {@code AutoCloseable} values (5.13 and later) or only {@code CloseableResource} ones.
     */
    @SuppressWarnings("deprecation")
    private record Running<T>(T fixture, Consumer<T> closer) implements ExtensionContext.Store.CloseableResource,
            AutoCloseable {
        @Override
        public void close() {
            closer.accept(fixture);
        }
    }
}
