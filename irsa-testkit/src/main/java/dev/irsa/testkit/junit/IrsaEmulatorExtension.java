package dev.irsa.testkit.junit;

import dev.irsa.testkit.IrsaEnvironment;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that runs a local IRSA environment (OIDC issuer + STS emulator + a role + a pod-style
 * projected token) for a test class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();
 *
 * @Test void assumes(IrsaEnvironment env) { ... irsa.roleArn() ... irsa.tokenFile() ... irsa.stsEndpoint() ... }
 * }</pre>
 *
 * In a {@code static} field one environment serves the class and its {@code @Nested} classes, closed after the class,
 * and before each test its faults, call log and credential lifetime override are reset and a fresh token is written. So
 * in an instance field under {@code @TestInstance(PER_CLASS)}: one test instance, so one extension, serves the class,
 * and JUnit calls its before-all. In an instance field under the default per-method lifecycle each test gets its own
 * environment, closed after it. Test, {@code @BeforeEach} and {@code @BeforeAll} methods may declare an
 * {@link IrsaEnvironment} parameter; a constructor cannot under {@code PER_CLASS} (it runs before the environment
 * starts).
 * <p>
 * Before each test, it also resets what irsa-java keeps for the whole process when irsa-core is on the class path
 * ({@code dev.irsa.core.TestIsolation.reset()}, called by reflection: credentials kept by closed sessions, and shared
 * sessions, which providers built later no longer join), so a test counts only its own calls.
 * <p>
 * Parallel execution ({@code junit.jupiter.execution.parallel.*}): test classes may run at the same time, each with its
 * own environment, also when they inherit one static field from a base class; then the accessors
 * ({@link #environment()}, {@code roleArn()}...) throw {@link IllegalStateException} while more than one runs,
 * saying to take the {@code IrsaEnvironment} parameter, which is always the test's own. Tests of one class may run at
 * the same time only with an environment each (instance field, per-method lifecycle): a shared one is reset before
 * each test, under the others. The process-wide reset also reaches tests running at that moment: see docs/testing.md.
 * @since 0.1.0
 */
public final class IrsaEmulatorExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {
    private final EnvironmentLifecycle<IrsaEnvironment> lifecycle;

    private IrsaEmulatorExtension(Consumer<IrsaEnvironment.Builder> customizer) {
        this.lifecycle = new EnvironmentLifecycle<>(IrsaEmulatorExtension.class, "IRSA", IrsaEnvironment.class,
                EnvironmentLifecycle.configured(IrsaEnvironment::builder, customizer, IrsaEnvironment.Builder::start),
                IrsaEnvironment::reset, IrsaEnvironment::rotateToken, IrsaEnvironment::close);
    }

    /**
     * Default environment: see {@link IrsaEnvironment#start()}.
     *
     * @return a new extension
     */
    public static IrsaEmulatorExtension create() {
        return new IrsaEmulatorExtension(b -> { });
    }

    /**
     * An environment configured by {@code customizer} (account, region, service account, lifetimes...).
     *
     * @param customizer applied to the environment's builder before it starts
     * @return a new extension
     */
    public static IrsaEmulatorExtension with(Consumer<IrsaEnvironment.Builder> customizer) {
        return new IrsaEmulatorExtension(Objects.requireNonNull(customizer));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        lifecycle.beforeAll(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        lifecycle.beforeEach(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        // JUnit closes the environment with the context it was started for: a test's, or the class's after its
        // @Nested classes ran
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // as afterEach
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return lifecycle.supports(p);
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return lifecycle.resolve(e);
    }

    /**
     * The running environment; throws {@link IllegalStateException} outside a test's lifecycle, and while the
     * extension serves several classes that run at the same time (take the environment as a parameter then).
     *
     * @return the environment
     */
    public IrsaEnvironment environment() {
        return lifecycle.environment();
    }

    /** {@return the environment's role ARN ({@code AWS_ROLE_ARN})} */
    public String roleArn() {
        return environment().roleArn();
    }

    /** {@return the environment's token file ({@code AWS_WEB_IDENTITY_TOKEN_FILE})} */
    public Path tokenFile() {
        return environment().tokenFile();
    }

    /** {@return the STS emulator's endpoint ({@code AWS_ENDPOINT_URL_STS})} */
    public URI stsEndpoint() {
        return environment().stsEndpoint();
    }

    /** {@return the environment's region} */
    public String region() {
        return environment().region();
    }

    /**
     * The variables the EKS webhook would inject, pointing at this environment.
     *
     * @return variable name to value
     */
    public Map<String, String> podEnvironment() {
        return environment().podEnvironment();
    }
}
