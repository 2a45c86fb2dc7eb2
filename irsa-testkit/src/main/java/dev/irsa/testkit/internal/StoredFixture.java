package dev.irsa.testkit.internal;

import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;

/**
 * The lifecycle the broker's, the database's and the emulators' JUnit extensions give their fixture, kept in JUnit's
 * {@link ExtensionContext.Store} rather than in the extension, so that each test class (or test) has its own even
 * when classes that share the extension run in parallel. Wherever JUnit calls before-all on the extension (a
 * {@code static} field, or an instance field under {@code @TestInstance(PER_CLASS)}, whose one instance serves the
 * class), one fixture serves the class and its {@code @Nested} classes and is cleared before each test; in an instance
 * field under the default per-method lifecycle each test starts its own. Either way the fixture is closed with the
 * context it was started for, so after other extensions' after-all callbacks. A fixture that serves several tests is
 * cleared before each of them, so those tests must not run at the same time (JUnit's concurrent methods).
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

    /**
     * The extension's {@code resolveParameter}: the running fixture, or an error that says why none runs yet and
     * what to do instead. The extension is registered (a static field's before-all has run by the time any method of
     * the class is called), so none runs only when asked for before the callbacks: in practice, a test instance
     * created under {@code PER_CLASS}, whose constructor runs before before-all.
     */
    public T resolve(ExtensionContext e) {
        Running<T> running = running(e);
        if (running == null) {
            String fixtureType = type.getSimpleName();
            throw new ParameterResolutionException("No " + fixtureType + " runs yet for " + e.getDisplayName()
                    + ": the " + noun + " starts in " + extension.getSimpleName() + "'s before-all (static field;"
                    + " instance field under @TestInstance(PER_CLASS)) or before-each (instance field), and JUnit"
                    + " creates a PER_CLASS test instance (its constructor, TestInstancePostProcessor extensions)"
                    + " before either: take the " + fixtureType + " as a parameter of a test, @BeforeEach or"
                    + " @BeforeAll method instead");
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
