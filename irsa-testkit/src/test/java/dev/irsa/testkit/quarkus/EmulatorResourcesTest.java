package dev.irsa.testkit.quarkus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.SignedJWT;
import dev.irsa.testkit.ClassRun;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.PodIdentityEnvironment;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Both Quarkus test resources driven as Quarkus's test framework drives them ({@code init}, {@code start},
 * {@code inject}, {@code stop}): their arguments configure the environment, the application's configuration holds
 * the pod's variables with the other mechanism's blanked, the annotated field of the right type receives the
 * environment, and {@code stop} closes it. (The example's {@code @QuarkusTest}s run them inside Quarkus.)
 */
class EmulatorResourcesTest {
    /** A test's fields as the resources' injection sees them. */
    static class Fields {
        @InjectEmulator
        IrsaEnvironment irsa;
        @InjectEmulator
        PodIdentityEnvironment podIdentity;
        IrsaEnvironment notAnnotated;
    }

    /** Starts {@code resource} with {@code args} and returns what it injects, after checking which fields take it. */
    private static <E> E start(QuarkusTestResourceLifecycleManager resource, Map<String, String> args,
            Map<String, String> config, String field) {
        resource.init(args);
        config.putAll(resource.start());
        AtomicReference<Object> injected = new AtomicReference<>();
        resource.inject((value, fields) -> {
            injected.set(value);
            assertThat(Arrays.stream(Fields.class.getDeclaredFields()).filter(fields).map(Field::getName))
                    .containsExactly(field);
        });
        @SuppressWarnings("unchecked")
        E env = (E) injected.get();
        return env;
    }

    private static String subject(Path tokenFile) throws Exception {
        return SignedJWT.parse(Files.readString(tokenFile)).getJWTClaimsSet().getSubject();
    }

    @Test
    void irsaTakesItsArgumentsGivesTheIrsaVariablesBlanksPodIdentitysAndStopsTheEmulator() throws Exception {
        IrsaEmulatorResource resource = new IrsaEmulatorResource();
        Map<String, String> config = new LinkedHashMap<>();
        IrsaEnvironment env = start(resource, Map.of("region", "eu-central-1", "account-id", "123456789012",
                "role-name", "payments", "service-account", "api"), config, "irsa");
        try {
            assertThat(env.roleArn()).isEqualTo("arn:aws:iam::123456789012:role/payments");
            assertThat(subject(env.tokenFile())).isEqualTo("system:serviceaccount:default:api");
            assertThat(config).containsEntry("AWS_ROLE_ARN", env.roleArn())
                    .containsEntry("AWS_WEB_IDENTITY_TOKEN_FILE", env.tokenFile().toString())
                    .containsEntry("AWS_REGION", "eu-central-1").containsEntry("AWS_DEFAULT_REGION", "eu-central-1")
                    .containsEntry("AWS_ENDPOINT_URL_STS", env.stsEndpoint().toString());
            assertThat(IrsaEmulatorResource.POD_IDENTITY_KEYS).contains("AWS_CONTAINER_CREDENTIALS_FULL_URI")
                    .allSatisfy(key -> assertThat(config).containsEntry(key, ""));
        } finally {
            resource.stop();
        }
        assertStopped(env.stsEndpoint(), env.tokenFile());
        resource.stop(); // Quarkus may stop a resource whose start failed or that was stopped
    }

    @Test
    void podIdentityTakesItsArgumentsGivesThePodIdentityVariablesBlanksIrsasAndStopsTheEmulator() throws Exception {
        PodIdentityEmulatorResource resource = new PodIdentityEmulatorResource();
        Map<String, String> config = new LinkedHashMap<>();
        PodIdentityEnvironment env = start(resource, Map.of("region", "eu-central-1", "account-id", "123456789012",
                "role-name", "payments", "namespace", "shop"), config, "podIdentity");
        try {
            assertThat(env.roleArn()).isEqualTo("arn:aws:iam::123456789012:role/payments");
            assertThat(env.region()).isEqualTo("eu-central-1");
            assertThat(subject(env.tokenFile())).isEqualTo("system:serviceaccount:shop:app");
            assertThat(config).containsAllEntriesOf(env.podEnvironment());
            assertThat(PodIdentityEmulatorResource.IRSA_KEYS).contains("AWS_ROLE_ARN")
                    .allSatisfy(key -> assertThat(config).containsEntry(key, ""));
        } finally {
            resource.stop();
        }
        assertStopped(env.agentEndpoint(), env.tokenFile());
        resource.stop();
    }

    @Test
    void aNamespaceOrServiceAccountAloneKeepsTheOthersDefault() throws Exception {
        Map<String, String> namespace = Map.of("namespace", "shop");
        Map<String, String> serviceAccount = Map.of("service-account", "api");
        assertThat(subjectFor(new IrsaEmulatorResource(), namespace)).isEqualTo("system:serviceaccount:shop:app");
        assertThat(subjectFor(new IrsaEmulatorResource(), serviceAccount)).isEqualTo("system:serviceaccount:default:api");
        assertThat(subjectFor(new PodIdentityEmulatorResource(), namespace)).isEqualTo("system:serviceaccount:shop:app");
        assertThat(subjectFor(new PodIdentityEmulatorResource(), serviceAccount))
                .isEqualTo("system:serviceaccount:default:api");
    }

    private static String subjectFor(QuarkusTestResourceLifecycleManager resource, Map<String, String> args)
            throws Exception {
        resource.init(args);
        Map<String, String> config = resource.start();
        try {
            String tokenFile = config.get(resource instanceof IrsaEmulatorResource ? "AWS_WEB_IDENTITY_TOKEN_FILE"
                    : "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
            return subject(Path.of(tokenFile));
        } finally {
            resource.stop();
        }
    }

    @Test
    void aBadArgumentFailsTheStartWithTheBuildersMessage() {
        for (QuarkusTestResourceLifecycleManager resource : List.of(new IrsaEmulatorResource(),
                new PodIdentityEmulatorResource())) {
            resource.init(Map.of("account-id", "12345"));
            assertThatThrownBy(resource::start).as(resource.getClass().getSimpleName())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("An AWS account ID is 12 digits, not 12345");
            resource.stop();
        }
    }

    private static void assertStopped(URI endpoint, Path tokenFile) {
        ClassRun.assertRefused(endpoint.getHost(), endpoint.getPort());
        assertThat(tokenFile).doesNotExist();
    }
}
