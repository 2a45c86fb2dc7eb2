package dev.irsa.testkit.kafka;

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
 * JUnit 5 extension that runs an {@link MskIamBroker} (both MSK IAM mechanisms) for a test class, against an STS
 * emulator started by an extension registered before it. Give both fields {@code @Order} (from
 * {@code org.junit.jupiter.api}): without it JUnit registers {@code @RegisterExtension} fields in an order that is
 * deterministic but intentionally not obvious (not necessarily the order they are written in), so the broker could
 * start before the emulator it asks for.
 *
 * <pre>{@code
 * @RegisterExtension
 * @Order(1)
 * static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();
 * @RegisterExtension
 * @Order(2)
 * static final MskIamBrokerExtension kafka = MskIamBrokerExtension.forEmulator(() -> irsa.environment().sts());
 *
 * @Test void sends(MskIamBroker broker) { ... broker.bootstrapServers() ... broker.authentications() ... }
 * }</pre>
 *
 * In a {@code static} field (or an instance field under {@code @TestInstance(PER_CLASS)}, whose one test instance
 * serves the class) the broker starts before the class's first test (so {@code @BeforeAll} methods may declare it as a
 * parameter too) and stops after its last, and before each test its authentications log is cleared; in an instance
 * field under the default per-method lifecycle each test gets a broker of its own. The broker is kept in JUnit's
 * {@link ExtensionContext.Store}, closed with the context it was started for, so the extension itself holds no state:
 * classes may run in parallel, each with its own broker; a broker that serves several tests must not serve them at
 * the same time (its log is cleared before each). Test and lifecycle methods may declare an {@link MskIamBroker}
 * parameter (a constructor under {@code PER_CLASS} cannot: it runs before the broker starts).
 * @since 0.1.0
 */
public final class MskIamBrokerExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {
    private final StoredFixture<MskIamBroker> fixture;

    private MskIamBrokerExtension(Supplier<MskIamBroker.Builder> builder) {
        this.fixture = new StoredFixture<>(MskIamBrokerExtension.class, MskIamBroker.class, "broker",
                () -> builder.get().start(), MskIamBroker::clearAuthentications, MskIamBroker::close);
    }

    /**
     * A broker that accepts what {@code sts} issued; the supplier is asked when the broker starts, so it may read an
     * emulator extension registered before this one.
     *
     * @param sts supplies the STS emulator
     * @return a new extension
     */
    public static MskIamBrokerExtension forEmulator(Supplier<StsEmulator> sts) {
        Objects.requireNonNull(sts, "sts");
        return new MskIamBrokerExtension(() -> MskIamBroker.builder().sts(sts.get()));
    }

    /**
     * A broker configured by the builder {@code builder} supplies (its authenticator, {@code maxReauth}, broker
     * properties), asked when the broker starts.
     *
     * @param builder supplies a configured builder
     * @return a new extension
     */
    public static MskIamBrokerExtension with(Supplier<MskIamBroker.Builder> builder) {
        return new MskIamBrokerExtension(Objects.requireNonNull(builder, "builder"));
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
