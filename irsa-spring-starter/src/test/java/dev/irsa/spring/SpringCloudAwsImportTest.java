package dev.irsa.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.s3.S3Emulator;
import dev.irsa.testkit.s3.S3Request;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The real Spring Cloud AWS (4.0.x on Boot 4, 3.4.x on Boot 3.5): {@code spring.config.import} of Parameter Store and
 * Secrets Manager plus an auto-configured {@code S3Client}, against loopback fakes that record which access key signed
 * each request (for S3, the test kit's {@link S3Emulator}, which also verifies the signature), with STS and the token
 * from the emulator. Proves the import and the application use one IRSA
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
    private S3Emulator s3;
    private final List<String> setProperties = new ArrayList<>();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {}

    /** An application whose context fails to refresh (after the import ran and the bootstrap context closed). */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class FailingApp {
        @Bean
        Object failsToStart() {
            throw new IllegalStateException("a bean failed (test)");
        }
    }

    /** Every log event during the test. */
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void start(IrsaEnvironment env) throws IOException {
        aws = new FakeAwsServices();
        s3 = S3Emulator.start(env);
        // Spring Boot would reset logback at startup, dropping the appender that captures the test's logs.
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        setProperties.add("org.springframework.boot.logging.LoggingSystem");
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void stop() throws InterruptedException {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        aws.close();
        s3.close();
        setProperties.forEach(System::clearProperty);
        awaitStsQuiet();
    }

    /**
     * A closed context's withdrawn warm-up may have sent its STS call already (withdrawing stops the answer, not the
     * request): let it land in this test's emulator record, not after the next test's reset, where it would count as
     * a second session (seen once on CI: the default-named call arrived 18 ms after the withdrawal).
     */
    private static void awaitStsQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        int seen = -1;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            int calls = irsa.environment().sts().calls().all().size();
            if (calls != seen) {
                seen = calls;
                quietSince = System.nanoTime();
            } else if (SessionRegistry.global().size() == 0
                    && System.nanoTime() - quietSince > Duration.ofMillis(300).toNanos()) {
                return;
            }
            Thread.sleep(20);
        }
    }

    /** The warnings saying the import's IRSA configuration differs from the application's. */
    private List<String> divergenceWarnings() {
        return logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("spring.config.import")).toList();
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
        return runWith(new SpringApplicationBuilder(App.class), first, args);
    }

    private ConfigurableApplicationContext runWith(SpringApplicationBuilder app, List<String> first, String... args) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(
                "--spring.cloud.aws.region.static=us-west-2",
                "--spring.cloud.aws.parameterstore.endpoint=" + aws.endpoint(),
                "--spring.cloud.aws.secretsmanager.endpoint=" + aws.endpoint(),
                "--spring.cloud.aws.s3.endpoint=" + s3.endpoint(),
                "--spring.cloud.aws.s3.path-style-access-enabled=true",
                "--spring.main.banner-mode=off"));
        all.addAll(List.of(args));
        return app.web(WebApplicationType.NONE).run(all.toArray(String[]::new));
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
        assertThat(s3.requests()).as("S3 client signed with").isNotEmpty().allSatisfy(r -> {
            assertThat(r.accessKeyId()).isEqualTo(appKey);
            assertThat(r.accepted()).as("the S3 emulator verified the signature").isTrue();
        });
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
        assertThat(divergenceWarnings()).isEmpty();
    }

    @Test
    void onlyIrsaPropertiesConfigureTheImportToo(IrsaEnvironment env) {
        // No pod variables at all: the README says irsa.role-arn + irsa.token-file are enough.
        try (ConfigurableApplicationContext ctx = run("--irsa.role-arn=" + env.roleArn(), "--irsa.token-file=" + env.tokenFile(),
                "--irsa.region=" + env.region(), "--irsa.sts-endpoint=" + env.stsEndpoint())) {
            assertOneSessionServesImportAndApp(env, ctx);
        }
    }

    /**
     * The import's refresh happened before the application context (and its meters) existed: the meters, bound right
     * after start, still show that session's expiry and the refresh it made (issue 20, item 9: the gauge was NaN and
     * the count 0 while health said VALID).
     */
    @Test
    void metersBoundAfterTheImportShowTheSessionItStarted(IrsaEnvironment env) {
        podEnvironment(env);
        try (ConfigurableApplicationContext ctx = run()) {
            assertOneSessionServesImportAndApp(env, ctx);
            io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            ctx.getBean(IrsaMetrics.class).bindTo(registry);
            assertThat(registry.get("irsa.credentials.expiry").gauge().value())
                    .as("seconds to expiry of the import's credentials (1 h)").isBetween(3500.0, 3601.0);
            assertThat(registry.get("irsa.credentials.refreshes").tag("outcome", "success").functionCounter().count())
                    .as("the import's refresh, made before the meters existed").isEqualTo(1.0);
            assertThat(registry.get("irsa.credentials.refreshes").tag("outcome", "failure").functionCounter().count())
                    .isZero();
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
        assertThat(divergenceWarnings()).isEmpty();
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
        assertThat(divergenceWarnings()).isEmpty();
    }

    @Test
    void irsaPropertiesTheImportDidNotSeeAreNamedInOneWarning(IrsaEnvironment env, @TempDir Path dir) throws IOException {
        podEnvironment(env);
        // Spring's load order: the import declared in application.properties is resolved before profile files load.
        Files.writeString(dir.resolve("application.properties"), IMPORT + "\nirsa.session-name=seen-by-the-import\n");
        Files.writeString(dir.resolve("application-late.properties"), "irsa.session-name=set-by-a-profile\n"
                + "irsa.session-policy=" + POLICY + "\nirsa.region=us-west-2\n");
        List<String> secrets = new ArrayList<>();
        try (ConfigurableApplicationContext ctx = runImportingFromFiles("--spring.config.additional-location=file:" + dir + "/",
                "--spring.profiles.active=late", "--irsa.region=us-west-2")) {
            String appKey = ctx.getBean(AwsCredentialsProvider.class).resolveCredentials().accessKeyId();
            assertThat(env.sts().assumedRoleArnOf(appKey)).hasValueSatisfying(a -> assertThat(a).endsWith("/set-by-a-profile"));
            String importKey = aws.keysFor("ssm").get(0);
            assertThat(env.sts().assumedRoleArnOf(importKey)).hasValueSatisfying(a -> assertThat(a).endsWith("/seen-by-the-import"));
            AwsSessionCredentials c = (AwsSessionCredentials) ctx.getBean(AwsCredentialsProvider.class).resolveCredentials();
            secrets.add(c.secretAccessKey());
            secrets.add(c.sessionToken());
        }
        secrets.add(Files.readString(env.tokenFile()).trim());
        List<String> warnings = divergenceWarnings();
        assertThat(warnings).as("one warning, naming the keys that differ").hasSize(1);
        String w = warnings.get(0);
        assertThat(w).contains("irsa.session-name", "irsa.session-policy", "irsa.*")
                .doesNotContain("irsa.region", "irsa.role-arn", "irsa.token-file");
        assertThat(w.length()).as("short, even with a policy in it: %s", w).isLessThan(900);
        for (String secret : secrets) {
            assertThat(w).doesNotContain(secret);
        }
    }

    @Test
    void irsaDisabledByAProfileTheImportDidNotSeeIsNamedInTheWarning(IrsaEnvironment env, @TempDir Path dir) throws IOException {
        podEnvironment(env);
        Files.writeString(dir.resolve("application.properties"), IMPORT + "\n");
        Files.writeString(dir.resolve("application-off.properties"), "irsa.enabled=false\n");
        try (ConfigurableApplicationContext ctx = runImportingFromFiles("--spring.config.additional-location=file:" + dir + "/",
                "--spring.profiles.active=off", "--spring.cloud.aws.credentials.access-key=AKIDSTATICEXAMPLE",
                "--spring.cloud.aws.credentials.secret-key=secret")) {
            assertThat(ctx.getBeansOfType(IrsaCredentialsProvider.class)).isEmpty();
            assertThat(aws.keysFor("ssm")).as("the import did use IRSA").allMatch(k -> k.startsWith("ASIA")).isNotEmpty();
        }
        assertThat(divergenceWarnings()).singleElement().asString().contains("irsa.enabled");
    }

    @Test
    void theSameResolvedConfigurationIsNotAWarningThoughIrsaPropertiesDiffer(IrsaEnvironment env, @TempDir Path dir)
            throws IOException {
        podEnvironment(env); // the import resolves its region from aws.region (AWS_REGION), irsa.region unset
        Files.writeString(dir.resolve("application.properties"), IMPORT + "\n");
        Files.writeString(dir.resolve("application-late.properties"), "irsa.region=" + env.region() + "\n");
        try (ConfigurableApplicationContext ctx = runImportingFromFiles("--spring.config.additional-location=file:" + dir + "/",
                "--spring.profiles.active=late")) {
            assertOneSessionServesImportAndApp(env, ctx);
        }
        assertThat(divergenceWarnings()).as("one session, so nothing to warn about").isEmpty();
    }

    @Test
    void awsSettingsInAProfileTheImportDidNotSeeAreNamedInTheWarning(IrsaEnvironment env, @TempDir Path dir)
            throws IOException {
        podEnvironment(env);
        Files.writeString(dir.resolve("application.properties"), IMPORT + "\n");
        // Not an irsa.* key: the application's bean reads aws.* settings through its environment, the import does not.
        Files.writeString(dir.resolve("application-late.properties"), "aws.roleSessionName=set-by-a-profile\n");
        try (ConfigurableApplicationContext ctx = runImportingFromFiles("--spring.config.additional-location=file:" + dir + "/",
                "--spring.profiles.active=late")) {
            String appKey = ctx.getBean(AwsCredentialsProvider.class).resolveCredentials().accessKeyId();
            assertThat(env.sts().assumedRoleArnOf(appKey)).hasValueSatisfying(a -> assertThat(a).endsWith("/set-by-a-profile"));
        }
        assertThat(divergenceWarnings()).singleElement().asString().contains("session name", "set-by-a-profile")
                .doesNotContain("STS endpoint", "role (");
    }

    @Test
    void irsaEnabledOnlyByAProfileIsNamedInTheWarning(IrsaEnvironment env, @TempDir Path dir) throws IOException {
        podEnvironment(env);
        Files.writeString(dir.resolve("application.properties"), IMPORT + "\nirsa.enabled=false\n");
        Files.writeString(dir.resolve("application-on.properties"), "irsa.enabled=true\n");
        try (ConfigurableApplicationContext ctx = runImportingFromFiles("--spring.config.additional-location=file:" + dir + "/",
                "--spring.profiles.active=on", "--spring.cloud.aws.credentials.access-key=AKIDSTATICEXAMPLE",
                "--spring.cloud.aws.credentials.secret-key=secret")) {
            assertThat(ctx.getBeansOfType(IrsaCredentialsProvider.class)).hasSize(1);
            assertThat(aws.keysFor("ssm")).as("the import did not use IRSA").containsOnly("AKIDSTATICEXAMPLE");
        }
        assertThat(divergenceWarnings()).singleElement().asString().contains("import: irsa.enabled=false", "application: IRSA");
    }

    /** Whether any of the library's scheduler threads is alive. */
    private static boolean irsaThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().startsWith("irsa-scheduler"));
    }

    private static void awaitSessionsBackTo(long sessions, boolean threadsBefore) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while ((SessionRegistry.global().size() != sessions || (!threadsBefore && irsaThreadsAlive()))
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(SessionRegistry.global().size()).as("IRSA sessions left behind by the failed start").isEqualTo(sessions);
        if (!threadsBefore) {
            assertThat(irsaThreadsAlive()).as("irsa-scheduler thread left running after the failed start").isFalse();
        }
    }

    @Test
    void aStartFailingWhileTheEnvironmentIsPreparedReleasesTheImportsSession(IrsaEnvironment env) throws Exception {
        podEnvironment(env);
        long before = SessionRegistry.global().size();
        boolean threadsBefore = irsaThreadsAlive();
        // Fails after config data (the import has signed with IRSA) and before the context exists: the bootstrap
        // context is never closed, so only a failed-start hook can let the provider's session go.
        SpringApplicationBuilder app = new SpringApplicationBuilder(App.class).listeners((ApplicationListener<ApplicationEvent>) e -> {
            if (e instanceof ApplicationEnvironmentPreparedEvent) {
                throw new IllegalStateException("a later environment step failed (test)");
            }
        });
        assertThatThrownBy(() -> runWith(app, List.of("--" + IMPORT))).hasMessageContaining("a later environment step failed");
        assertThat(aws.keysFor("ssm")).as("the import ran, with IRSA").isNotEmpty().allMatch(k -> k.startsWith("ASIA"));
        awaitSessionsBackTo(before, threadsBefore);
    }

    @Test
    void aStartFailingOnceTheContextIsPreparedButNotRefreshedReleasesTheImportsSession(IrsaEnvironment env)
            throws Exception {
        podEnvironment(env);
        long before = SessionRegistry.global().size();
        boolean threadsBefore = irsaThreadsAlive();
        // Fails after the bootstrap context closed (the context took the provider over as a disposable bean) and
        // before refresh: closing a context that was never refreshed destroys nothing.
        SpringApplicationBuilder app = new SpringApplicationBuilder(App.class).listeners((ApplicationListener<ApplicationEvent>) e -> {
            if (e instanceof org.springframework.boot.context.event.ApplicationPreparedEvent) {
                throw new IllegalStateException("a listener on the prepared context failed (test)");
            }
        });
        assertThatThrownBy(() -> runWith(app, List.of("--" + IMPORT))).hasMessageContaining("prepared context failed");
        assertThat(aws.keysFor("ssm")).as("the import ran, with IRSA").isNotEmpty().allMatch(k -> k.startsWith("ASIA"));
        awaitSessionsBackTo(before, threadsBefore);
    }

    @Test
    void aStartFailingWhileTheContextRefreshesReleasesTheImportsSession(IrsaEnvironment env) throws Exception {
        podEnvironment(env);
        long before = SessionRegistry.global().size();
        boolean threadsBefore = irsaThreadsAlive();
        assertThatThrownBy(() -> runWith(new SpringApplicationBuilder(FailingApp.class), List.of("--" + IMPORT)))
                .hasStackTraceContaining("a bean failed (test)");
        assertThat(aws.keysFor("ssm")).as("the import ran, with IRSA").isNotEmpty().allMatch(k -> k.startsWith("ASIA"));
        awaitSessionsBackTo(before, threadsBefore);
    }

    @Test
    void irsaEnabledFalseReachesTheImport(IrsaEnvironment env) {
        podEnvironment(env);
        // With IRSA off, Spring Cloud AWS must fall back to its own credentials (here: static keys), for import and app.
        try (ConfigurableApplicationContext ctx = run("--irsa.enabled=false",
                "--spring.cloud.aws.credentials.access-key=AKIDSTATICEXAMPLE", "--spring.cloud.aws.credentials.secret-key=secret")) {
            assertThat(ctx.getEnvironment().getProperty("greeting")).isEqualTo("hello-from-ssm");
            // a key the S3 emulator's STS did not issue: refused, and recorded with the key that signed
            assertThatThrownBy(() -> ctx.getBean(S3Client.class).listBuckets()).isInstanceOf(S3Exception.class);
            assertThat(ctx.getBeansOfType(IrsaCredentialsProvider.class)).isEmpty();
            assertThat(aws.keysFor("ssm")).containsOnly("AKIDSTATICEXAMPLE");
            assertThat(aws.keysFor("secretsmanager")).containsOnly("AKIDSTATICEXAMPLE");
            assertThat(s3.accessKeyIds()).containsOnly("AKIDSTATICEXAMPLE");
            assertThat(s3.requests()).extracting(S3Request::errorCode).containsOnly("InvalidAccessKeyId");
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).as("STS calls with IRSA disabled").isZero();
        }
    }
}
