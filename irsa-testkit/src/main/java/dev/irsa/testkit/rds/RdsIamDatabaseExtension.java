package dev.irsa.testkit.rds;

import dev.irsa.testkit.StsEmulator;
import java.util.Objects;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that runs an {@link RdsIamDatabase} for a test class, against an STS emulator started by an
 * extension registered before it (give both fields {@code @Order}: JUnit's default order of extension fields is not
 * their order in the source).
 *
 * <pre>{@code
 * @RegisterExtension @Order(1)
 * static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();
 * @RegisterExtension @Order(2)
 * static final RdsIamDatabaseExtension rds = RdsIamDatabaseExtension.forEmulator(() -> irsa.environment().sts());
 *
 * @Test void logsIn(RdsIamDatabase db) { ... db.jdbcUrl() ... db.verdicts() ... }
 * }</pre>
 *
 * In a {@code static} field the database starts before the class's first test and stops after its last, and its
 * verdicts are cleared before each test; in an instance field each test gets a database of its own. Kept in JUnit's
 * {@link ExtensionContext.Store} and closed with the context it was started for (so after other extensions' after-all
 * callbacks, Spring's closing of a {@code @DirtiesContext} application included); the extension holds no state. Test
 * and lifecycle methods may declare an {@link RdsIamDatabase} parameter.
 *
 * @since 0.1.0
 */
public final class RdsIamDatabaseExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RdsIamDatabaseExtension.class);

    private final Supplier<RdsIamDatabase.Builder> builder;

    private RdsIamDatabaseExtension(Supplier<RdsIamDatabase.Builder> builder) {
        this.builder = builder;
    }

    /**
     * A database in {@code sts}'s region that accepts tokens signed with credentials {@code sts} issued; the supplier
     * is asked when the database starts, so it may read an emulator extension registered before this one.
     *
     * @param sts supplies the STS emulator
     * @return a new extension
     */
    public static RdsIamDatabaseExtension forEmulator(Supplier<StsEmulator> sts) {
        Objects.requireNonNull(sts, "sts");
        return new RdsIamDatabaseExtension(() -> RdsIamDatabase.forEmulator(sts.get()));
    }

    /**
     * A database configured by the builder {@code builder} supplies (host, port, database, verifier), asked when the
     * database starts.
     *
     * @param builder supplies a configured builder
     * @return a new extension
     */
    public static RdsIamDatabaseExtension with(Supplier<RdsIamDatabase.Builder> builder) {
        return new RdsIamDatabaseExtension(Objects.requireNonNull(builder, "builder"));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (context.getStore(NAMESPACE).get(this, Running.class) != null) {
            return; // a @Nested class: its enclosing class's database serves it
        }
        context.getStore(NAMESPACE).put(this, new Running(builder.get().start()));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Running running = context.getStore(NAMESPACE).get(this, Running.class);
        if (running == null) {
            context.getStore(NAMESPACE).put(this, new Running(builder.get().start()));
        } else {
            running.database.clearVerdicts();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == RdsIamDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        Running running = e.getStore(NAMESPACE).get(this, Running.class);
        if (running == null) {
            throw new ParameterResolutionException("No RdsIamDatabase runs for " + e.getDisplayName()
                    + ": register RdsIamDatabaseExtension in a static field to use the database in @BeforeAll methods");
        }
        return running.database;
    }

    /** What the store holds: closed by JUnit with its context, once, whichever interface that JUnit closes. */
    @SuppressWarnings("deprecation")
    private record Running(RdsIamDatabase database) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            database.close();
        }
    }
}
