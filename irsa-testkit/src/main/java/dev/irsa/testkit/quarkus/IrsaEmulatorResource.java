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
 * A field of type {@link IrsaEnvironment} annotated
 * {@link InjectEmulator} receives the environment (call log, faults, token rotation).
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
    /**
     * The application's own settings that would override the variables given here (an explicit
     * {@code quarkus.irsa.sts-endpoint} wins over {@code AWS_ENDPOINT_URL_STS}...): blanked, so that a test never sends
     * the emulator's token to the application's endpoint (a VPC endpoint, real STS) or uses the application's role.
     */
    static final List<String> APPLICATION_KEYS = List.of("quarkus.irsa.role-arn", "quarkus.irsa.token-file",
            "quarkus.irsa.sts-endpoint", "quarkus.irsa.region");
    private Map<String, String> args = Map.of();
    private IrsaEnvironment environment;

    /** Created by Quarkus's test framework. */
    public IrsaEmulatorResource() {
    }

    @Override
    public void init(Map<String, String> initArgs) {
        this.args = Map.copyOf(initArgs);
    }

    @Override
    public Map<String, String> start() {
        IrsaEnvironment.Builder b = IrsaEnvironment.builder();
        if (args.containsKey("region")) {
            b.region(args.get("region"));
        }
        if (args.containsKey("account-id")) {
            b.accountId(args.get("account-id"));
        }
        if (args.containsKey("role-name")) {
            b.roleName(args.get("role-name"));
        }
        if (args.containsKey("namespace") || args.containsKey("service-account")) {
            b.serviceAccount(args.getOrDefault("namespace", "default"), args.getOrDefault("service-account", "app"));
        }
        environment = b.start();
        Map<String, String> config = new LinkedHashMap<>();
        config.put("AWS_ROLE_ARN", environment.roleArn());
        config.put("AWS_WEB_IDENTITY_TOKEN_FILE", environment.tokenFile().toString());
        config.put("AWS_REGION", environment.region());
        config.put("AWS_DEFAULT_REGION", environment.region());
        config.put("AWS_ENDPOINT_URL_STS", environment.stsEndpoint().toString());
        // an empty value hides the test runner's own variable from the application's configuration
        for (String key : POD_IDENTITY_KEYS) {
            config.put(key, "");
        }
        for (String key : APPLICATION_KEYS) {
            config.put(key, "");
        }
        return config;
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(environment,
                new TestInjector.AnnotatedAndMatchesType(InjectEmulator.class, IrsaEnvironment.class));
    }

    @Override
    public void stop() {
        if (environment != null) {
            environment.close();
            environment = null;
        }
    }
}
