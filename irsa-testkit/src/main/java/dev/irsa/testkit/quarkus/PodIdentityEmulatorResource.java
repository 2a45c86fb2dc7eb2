package dev.irsa.testkit.quarkus;

import dev.irsa.testkit.PodIdentityEnvironment;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.List;
import java.util.Map;

/**
 * Starts a {@link PodIdentityEnvironment} (EKS Pod Identity agent emulator, STS emulator, projected token) for
 * {@code @QuarkusTest}s and gives the application the variables EKS injects into a pod with a Pod Identity
 * association, as configuration ({@link PodIdentityEnvironment#podEnvironment()}:
 * {@code AWS_CONTAINER_CREDENTIALS_FULL_URI}, {@code AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}, {@code AWS_REGION},
 * ...); IRSA's ({@code AWS_ROLE_ARN}, {@code AWS_WEB_IDENTITY_TOKEN_FILE}, ...) are blanked, so a test running on a pod
 * (a CI runner) with IRSA of its own neither selects IRSA (which wins when both are set) nor sends the runner's
 * token anywhere; so are the application's own {@code quarkus.irsa.role-arn}, {@code token-file},
 * {@code sts-endpoint} and {@code region}. A field of type {@link PodIdentityEnvironment} annotated
 * {@link InjectEmulator} receives the environment.
 *
 * <p>Arguments ({@code initArgs} of {@code @WithTestResource}): {@code region}, {@code account-id},
 * {@code role-name}, {@code namespace} and {@code service-account}.
 *
 * @since 0.1.0
 */
public class PodIdentityEmulatorResource implements QuarkusTestResourceLifecycleManager {
    /** IRSA's variables and their system properties, blanked for the application. */
    static final List<String> IRSA_KEYS = List.of("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_ROLE_SESSION_NAME", "aws.roleArn", "aws.webIdentityTokenFile", "aws.roleSessionName");
    private final RunningEmulator<PodIdentityEnvironment> emulator = new RunningEmulator<>(
            PodIdentityEnvironment.class, IRSA_KEYS, PodIdentityEnvironment::close);

    /** Created by Quarkus's test framework. */
    public PodIdentityEmulatorResource() {
    }

    @Override
    public void init(Map<String, String> initArgs) {
        emulator.init(initArgs);
    }

    @Override
    public Map<String, String> start() {
        PodIdentityEnvironment.Builder b = PodIdentityEnvironment.builder();
        emulator.configure(b::region, b::accountId, b::roleName, b::serviceAccount);
        return emulator.started(b.start(), PodIdentityEnvironment::podEnvironment);
    }

    /**
     * The environment this resource started, for a subclass that starts more on it (an
     * {@link dev.irsa.testkit.s3.S3Emulator} that accepts its credentials, for one).
     *
     * @return the running environment
     * @throws IllegalStateException before {@link #start()} or after {@link #stop()}
     */
    protected final PodIdentityEnvironment environment() {
        return emulator.environment();
    }

    @Override
    public void inject(TestInjector injector) {
        emulator.inject(injector);
    }

    @Override
    public void stop() {
        emulator.stop();
    }
}
