package dev.irsa.testkit.quarkus;

import dev.irsa.testkit.PodIdentityEnvironment;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.LinkedHashMap;
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
    private Map<String, String> args = Map.of();
    private PodIdentityEnvironment environment;

    /** Created by Quarkus's test framework. */
    public PodIdentityEmulatorResource() {
    }

    @Override
    public void init(Map<String, String> initArgs) {
        this.args = Map.copyOf(initArgs);
    }

    @Override
    public Map<String, String> start() {
        PodIdentityEnvironment.Builder b = PodIdentityEnvironment.builder();
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
        Map<String, String> config = new LinkedHashMap<>(environment.podEnvironment());
        // an empty value hides the test runner's own variable from the application's configuration
        for (String key : IRSA_KEYS) {
            config.put(key, "");
        }
        // an explicit role ARN and token file would select IRSA (which wins) with the application's token
        for (String key : IrsaEmulatorResource.APPLICATION_KEYS) {
            config.put(key, "");
        }
        return config;
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(environment,
                new TestInjector.AnnotatedAndMatchesType(InjectEmulator.class, PodIdentityEnvironment.class));
    }

    @Override
    public void stop() {
        if (environment != null) {
            environment.close();
            environment = null;
        }
    }
}
