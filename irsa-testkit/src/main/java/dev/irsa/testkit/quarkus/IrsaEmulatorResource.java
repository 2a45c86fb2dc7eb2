package dev.irsa.testkit.quarkus;

import dev.irsa.testkit.IrsaEnvironment;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts an {@link IrsaEnvironment} (OIDC issuer, STS emulator, projected token) for {@code @QuarkusTest}s and gives
 * the application the variables EKS injects into a pod with IRSA, as configuration: {@code AWS_ROLE_ARN},
 * {@code AWS_WEB_IDENTITY_TOKEN_FILE}, {@code AWS_REGION}, {@code AWS_DEFAULT_REGION} and
 * {@code AWS_ENDPOINT_URL_STS} (the emulator); EKS Pod Identity's variables ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI},
 * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}, ...) are blanked, so a test running on a pod (a CI runner) with Pod
 * Identity of its own still talks to the emulator only. The application's own {@code quarkus.irsa.role-arn},
 * {@code token-file}, {@code sts-endpoint} and {@code region}, which would win over these variables, are blanked too.
 * A field of type {@link IrsaEnvironment} annotated {@link InjectEmulator} receives the environment (call log,
 * faults, token rotation).
 *
 * <p>Arguments ({@code initArgs} of {@code @WithTestResource}): {@code region}, {@code account-id},
 * {@code role-name}, {@code namespace} and {@code service-account}.
 *
 * <pre>{@code
 * @QuarkusTest
 * @WithTestResource(IrsaEmulatorResource.class)
 * class MyServiceTest { ... }
 * }</pre>
 *
 * @since 0.1.0
 */
public class IrsaEmulatorResource implements QuarkusTestResourceLifecycleManager {
    /** EKS Pod Identity's variables and their system properties, blanked for the application. */
    static final List<String> POD_IDENTITY_KEYS = List.of("AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "aws.containerCredentialsFullUri",
            "aws.containerCredentialsPath", "aws.containerAuthorizationToken", "aws.containerAuthorizationTokenFile");
    private final RunningEmulator<IrsaEnvironment> emulator = new RunningEmulator<>(IrsaEnvironment.class,
            POD_IDENTITY_KEYS, IrsaEnvironment::close);

    /** Created by Quarkus's test framework. */
    public IrsaEmulatorResource() {
    }

    @Override
    public void init(Map<String, String> initArgs) {
        emulator.init(initArgs);
    }

    @Override
    public Map<String, String> start() {
        IrsaEnvironment.Builder b = IrsaEnvironment.builder();
        emulator.configure(b::region, b::accountId, b::roleName, b::serviceAccount);
        return emulator.started(b.start(), IrsaEmulatorResource::variables);
    }

    private static Map<String, String> variables(IrsaEnvironment environment) {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("AWS_ROLE_ARN", environment.roleArn());
        variables.put("AWS_WEB_IDENTITY_TOKEN_FILE", environment.tokenFile().toString());
        variables.put("AWS_REGION", environment.region());
        variables.put("AWS_DEFAULT_REGION", environment.region());
        variables.put("AWS_ENDPOINT_URL_STS", environment.stsEndpoint().toString());
        return variables;
    }

    /**
     * The environment this resource started, for a subclass that starts more on it (an
     * {@link dev.irsa.testkit.s3.S3Emulator} that accepts its credentials, for one).
     *
     * @return the running environment
     * @throws IllegalStateException before {@link #start()} or after {@link #stop()}
     */
    protected final IrsaEnvironment environment() {
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
