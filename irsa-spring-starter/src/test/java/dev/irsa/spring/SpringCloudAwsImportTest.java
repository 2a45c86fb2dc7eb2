package dev.irsa.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The real Spring Cloud AWS (4.0.x on Boot 4, 3.4.x on Boot 3.5): {@code spring.config.import} of Parameter Store and
 * Secrets Manager plus an auto-configured {@code S3Client}, against loopback fakes that record which access key signed
 * each request, with STS and the token from the emulator. Proves the import and the application use one IRSA
 * session configured from the same {@code irsa.*} properties, and that {@code irsa.enabled=false} reaches the import.
 */
class SpringCloudAwsImportTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    /** The JVM-wide names the pod's variables also have (what the SDK and SettingsSource.system() read). */
    private static final Map<String, String> POD_SYSTEM_PROPERTIES = Map.of("AWS_ROLE_ARN", "aws.roleArn",
            "AWS_WEB_IDENTITY_TOKEN_FILE", "aws.webIdentityTokenFile", "AWS_REGION", "aws.region",
            "AWS_ENDPOINT_URL_STS", "aws.endpointUrlSts");

    private FakeAwsServices aws;
    private final List<String> setProperties = new ArrayList<>();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {}

    @BeforeEach
    void start() throws IOException {
        aws = new FakeAwsServices();
    }

    @AfterEach
    void stop() {
        aws.close();
        setProperties.forEach(System::clearProperty);
    }

    /** The pod's IRSA variables, as the JVM sees them (system properties stand in for the process environment). */
    private void podEnvironment(IrsaEnvironment env) {
        env.podEnvironment().forEach((k, v) -> {
            String name = POD_SYSTEM_PROPERTIES.get(k);
            if (name != null) {
                System.setProperty(name, v);
                setProperties.add(name);
            }
        });
    }

    private static final String IMPORT = "spring.config.import=aws-parameterstore:/app/,aws-secretsmanager:app-secret";

    private ConfigurableApplicationContext run(String... args) {
        return runWith(List.of("--" + IMPORT), args);
    }

    /** Without the import on the command line: the test's own files declare it, as applications do. */
    private ConfigurableApplicationContext runImportingFromFiles(String... args) {
        return runWith(List.of(), args);
    }

    private ConfigurableApplicationContext runWith(List<String> first, String... args) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(
                "--spring.cloud.aws.region.static=us-west-2",
                "--spring.cloud.aws.parameterstore.endpoint=" + aws.endpoint(),
                "--spring.cloud.aws.secretsmanager.endpoint=" + aws.endpoint(),
                "--spring.cloud.aws.s3.endpoint=" + aws.endpoint(),
                "--spring.cloud.aws.s3.path-style-access-enabled=true",
                "--spring.main.banner-mode=off"));
        all.addAll(List.of(args));
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).run(all.toArray(String[]::new));
    }

    /** Asserts the import and the app's S3 client were signed with the app's IRSA key, from one STS call. */
    private String assertOneSessionServesImportAndApp(IrsaEnvironment env, ConfigurableApplicationContext ctx) {
        assertThat(ctx.getEnvironment().getProperty("greeting")).isEqualTo("hello-from-ssm");
        assertThat(ctx.getEnvironment().getProperty("db.password")).isEqualTo("from-secrets-manager");
        ctx.getBean(S3Client.class).listBuckets();
        String appKey = ctx.getBean(AwsCredentialsProvider.class).resolveCredentials().accessKeyId();
        assertThat(appKey).startsWith("ASIA");
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).as("STS calls for import and app: %s", env.sts().calls().all()).isEqualTo(1);
        assertThat(aws.keysFor("ssm")).as("Parameter Store import signed with").containsOnly(appKey).isNotEmpty();
        assertThat(aws.keysFor("secretsmanager")).as("Secrets Manager import signed with").containsOnly(appKey).isNotEmpty();
        assertThat(aws.keysFor("s3")).as("S3 client signed with").containsOnly(appKey).isNotEmpty();
        return appKey;
    }

    @Test
    void podEnvironmentOneSessionForImportAndAppClosedWithTheContext(IrsaEnvironment env) {
        podEnvironment(env);
        long before = SessionRegistry.global().size();
        try (ConfigurableApplicationContext ctx = run()) {
            assertThat(ctx.getBean(AwsCredentialsProvider.class)).isInstanceOf(IrsaCredentialsProvider.class);
            assertOneSessionServesImportAndApp(env, ctx);
        }
        assertThat(SessionRegistry.global().size()).as("IRSA sessions left after the context closed").isEqualTo(before);
    }

    @Test
    void onlyIrsaPropertiesConfigureTheImportToo(IrsaEnvironment env) {
        // No pod variables at all: the README says irsa.role-arn + irsa.token-file are enough.
        try (ConfigurableApplicationContext ctx = run("--irsa.role-arn=" + env.roleArn(), "--irsa.token-file=" + env.tokenFile(),
                "--irsa.region=" + env.region(), "--irsa.sts-endpoint=" + env.stsEndpoint())) {
            assertOneSessionServesImportAndApp(env, ctx);
        }
    }

    private static final String POLICY = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
            + "\"ssm:GetParametersByPath\",\"secretsmanager:GetSecretValue\",\"s3:ListAllMyBuckets\"],\"Resource\":\"*\"}]}";

    @Test
    void scopingPropertiesInApplicationPropertiesReachTheImport(IrsaEnvironment env, @TempDir Path dir) throws IOException {
        podEnvironment(env);
        Files.writeString(dir.resolve("application.properties"), IMPORT + "\nirsa.session-name=scoped-by-file\n"
                + "irsa.session-policy=" + POLICY + "\nirsa.session-duration=2h\n");
        try (ConfigurableApplicationContext ctx = runImportingFromFiles("--spring.config.additional-location=file:" + dir + "/",
                "--irsa.policy-arns=arn:aws:iam::aws:policy/ReadOnlyAccess")) {
            String key = assertOneSessionServesImportAndApp(env, ctx);
            assertThat(env.sts().assumedRoleArnOf(key)).hasValueSatisfying(arn -> assertThat(arn).endsWith("/scoped-by-file"));
            IrsaProperties p = ctx.getBean(IrsaProperties.class);
            assertThat(p.getSessionPolicy()).isEqualTo(POLICY);
            assertThat(p.getSessionDuration()).hasHours(2);
            assertThat(p.getPolicyArns()).containsExactly("arn:aws:iam::aws:policy/ReadOnlyAccess");
        }
    }

    @Test
    void aProfileFileDeclaringTheImportGivesItItsIrsaProperties(IrsaEnvironment env, @TempDir Path dir) throws IOException {
        podEnvironment(env);
        Files.writeString(dir.resolve("application.properties"), "irsa.session-policy=" + POLICY + "\n");
        Files.writeString(dir.resolve("application-scoped.properties"), IMPORT + "\nirsa.session-name=scoped-by-profile\n"
                + "irsa.session-duration=2h\n");
        try (ConfigurableApplicationContext ctx = runImportingFromFiles("--spring.config.additional-location=file:" + dir + "/",
                "--spring.profiles.active=scoped")) {
            String key = assertOneSessionServesImportAndApp(env, ctx);
            assertThat(env.sts().assumedRoleArnOf(key)).hasValueSatisfying(arn -> assertThat(arn).endsWith("/scoped-by-profile"));
            assertThat(ctx.getBean(IrsaProperties.class).getSessionDuration()).hasHours(2);
        }
    }

    @Test
    void irsaEnabledFalseReachesTheImport(IrsaEnvironment env) {
        podEnvironment(env);
        // With IRSA off, Spring Cloud AWS must fall back to its own credentials (here: static keys), for import and app.
        try (ConfigurableApplicationContext ctx = run("--irsa.enabled=false",
                "--spring.cloud.aws.credentials.access-key=AKIDSTATICEXAMPLE", "--spring.cloud.aws.credentials.secret-key=secret")) {
            assertThat(ctx.getEnvironment().getProperty("greeting")).isEqualTo("hello-from-ssm");
            ctx.getBean(S3Client.class).listBuckets();
            assertThat(ctx.getBeansOfType(IrsaCredentialsProvider.class)).isEmpty();
            assertThat(aws.keysFor("ssm")).containsOnly("AKIDSTATICEXAMPLE");
            assertThat(aws.keysFor("secretsmanager")).containsOnly("AKIDSTATICEXAMPLE");
            assertThat(aws.keysFor("s3")).containsOnly("AKIDSTATICEXAMPLE");
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).as("STS calls with IRSA disabled").isZero();
        }
    }
}
