package dev.irsa.testkit.rds;

import dev.irsa.testkit.StsEmulator;
import dev.irsa.testkit.internal.StoredFixture;
import java.util.Objects;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
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
 * In a {@code static} field (or an instance field under {@code @TestInstance(PER_CLASS)}, whose one test instance
 * serves the class) the database starts before the class's first test and stops after its last, and its verdicts are
 * cleared before each test; in an instance field under the default per-method lifecycle each test gets a database of
 * its own. Kept in JUnit's
 * {@link ExtensionContext.Store} and closed with the context it was started for (so after other extensions' after-all
 * callbacks, Spring's closing of a {@code @DirtiesContext} application included); the extension holds no state. Test
 * and lifecycle methods may declare an {@link RdsIamDatabase} parameter (a constructor under {@code PER_CLASS}
 * cannot: it runs before the database starts). Classes may run in parallel, each with its own database; a database
 * that serves several tests must not serve them at the same time (its verdicts are cleared before each).
 *
 * @since 0.1.0
 */
public final class RdsIamDatabaseExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {
    private final StoredFixture<RdsIamDatabase> fixture;

    private RdsIamDatabaseExtension(Supplier<RdsIamDatabase.Builder> builder) {
        this.fixture = new StoredFixture<>(RdsIamDatabaseExtension.class, RdsIamDatabase.class, "database",
                () -> builder.get().start(), RdsIamDatabase::clearVerdicts, RdsIamDatabase::close);
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
        fixture.beforeAll(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        fixture.beforeEach(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return fixture.supports(p);
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return fixture.resolve(e);
    }
}
