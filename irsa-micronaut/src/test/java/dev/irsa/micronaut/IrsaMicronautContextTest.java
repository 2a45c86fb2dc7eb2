package dev.irsa.micronaut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.SessionState;
import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthResult;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Every condition of the integration, each in a Micronaut application context of its own (Micronaut's
 * {@code ApplicationContext.run}), against the test kit's IRSA emulator.
 */
class IrsaMicronautContextTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    /** A closed context leaves no session behind. */
    @AfterEach
    void noSessionAfterTheContextClosed() {
        assertThat(SessionRegistry.global().size()).as("sessions open after close").isZero();
    }

    /** The pod's variables as Micronaut properties: the integration reads them by their exact names first. */
    private static Map<String, Object> pod(IrsaEnvironment env, String... more) {
        Map<String, Object> p = new HashMap<>(env.podEnvironment());
        for (int i = 0; i < more.length; i += 2) {
            p.put(more[i], more[i + 1]);
        }
        return p;
    }

    private static HealthResult health(ApplicationContext ctx) {
        return Mono.from(ctx.getBean(IrsaHealthIndicator.class).getResult()).block();
    }

    private static Throwable rootCause(ThrowingCallable start) {
        Throwable[] t = new Throwable[1];
        assertThatThrownBy(start).satisfies(e -> t[0] = e);
        Throwable c = t[0];
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    @Test
    void nothingConfiguredNothingCreatedAndMicronautAwsKeepsItsChain() {
        try (ApplicationContext ctx = ApplicationContext.run(Map.of("aws.region", "us-west-2"))) {
            assertThat(ctx.containsBean(IrsaCredentialsProvider.class)).isFalse();
            assertThat(ctx.containsBean(IrsaHealthIndicator.class)).isFalse();
            assertThat(ctx.getBean(AwsCredentialsProviderChain.class).toString()).doesNotContain("Irsa");
        }
    }

    @Test
    void disabledByProperty(IrsaEnvironment env) {
        try (ApplicationContext ctx = ApplicationContext.run(pod(env, "irsa.enabled", "false"))) {
            assertThat(ctx.containsBean(IrsaCredentialsProvider.class)).isFalse();
            assertThat(ctx.getBean(AwsCredentialsProviderChain.class).toString()).doesNotContain("Irsa");
        }
    }

    @Test
    void fromThePodEnvironmentWithRefreshSettings(IrsaEnvironment env) {
        try (ApplicationContext ctx = ApplicationContext.run(pod(env, "irsa.refresh.wait-timeout", "3s",
                "irsa.attempt-timeout", "7s", "irsa.session-duration", "2h", "irsa.policy-arns",
                "arn:aws:iam::aws:policy/ReadOnlyAccess"))) {
            IrsaConfiguration c = ctx.getBean(IrsaConfiguration.class);
            assertThat(c.getRefresh().getWaitTimeout()).hasSeconds(3);
            assertThat(c.getAttemptTimeout()).hasSeconds(7);
            assertThat(c.getSessionDuration()).hasHours(2);
            assertThat(c.getPolicyArns()).containsExactly("arn:aws:iam::aws:policy/ReadOnlyAccess");
            IrsaCredentialsProvider provider = ctx.getBean(IrsaCredentialsProvider.class);
            dev.irsa.core.IrsaConfig resolved = provider.config().orElseThrow();
            assertThat(resolved.attemptTimeout()).hasSeconds(7);
            assertThat(resolved.sessionDuration()).hasHours(2);
            assertThat(resolved.policyArns()).containsExactly("arn:aws:iam::aws:policy/ReadOnlyAccess");
            assertThat(resolved.refreshPolicy().waitTimeout()).hasSeconds(3);
            assertThat(provider.resolveCredentials().accessKeyId()).startsWith("ASIA");
        }
    }

    /**
     * {@code irsa.refresh.minimum-interval} reaches the policy, as the other refresh settings do: the floor's WARN
     * tells users to set it (to zero for an emulator that grants seconds-long credentials).
     */
    @Test
    void theMinimumRefreshIntervalIsBound(IrsaEnvironment env) {
        try (ApplicationContext ctx = ApplicationContext.run(pod(env))) {
            assertThat(ctx.getBean(IrsaCredentialsProvider.class).config().orElseThrow().refreshPolicy()
                    .minimumRefreshInterval()).as("the default").hasSeconds(60);
        }
        try (ApplicationContext ctx = ApplicationContext.run(pod(env, "irsa.refresh.minimum-interval", "0s"))) {
            assertThat(ctx.getBean(IrsaCredentialsProvider.class).config().orElseThrow().refreshPolicy()
                    .minimumRefreshInterval()).as("off").isZero();
        }
        try (ApplicationContext ctx = ApplicationContext.run(pod(env, "irsa.refresh.minimum-interval", "2m"))) {
            assertThat(ctx.getBean(IrsaCredentialsProvider.class).config().orElseThrow().refreshPolicy()
                    .minimumRefreshInterval()).hasMinutes(2);
        }
        Throwable tooLong = rootCause(() -> ApplicationContext.run(pod(env, "irsa.refresh.minimum-interval", "6m"))
                .close());
        assertThat(tooLong).hasMessageContaining("minimumRefreshInterval").hasMessageContaining("irsa.refresh")
                .hasMessageNotContaining("eager-start");
    }

    @Test
    void invalidSettingsFailTheStartWithTheReason(IrsaEnvironment env) {
        Throwable duration = rootCause(() -> ApplicationContext.run(pod(env, "irsa.session-duration", "10m")).close());
        assertThat(duration).hasMessageContaining("900–43200").hasMessageContaining("irsa.*");
        Throwable arn = rootCause(() -> ApplicationContext.run(Map.of("irsa.role-arn", "not-an-arn",
                "irsa.token-file", env.tokenFile().toString(), "irsa.region", env.region())).close());
        assertThat(arn).hasMessageContaining("Malformed IAM role ARN");
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isZero();
    }

    @Test
    void aSessionPolicyWithPodIdentityFailsTheStart() {
        try (dev.irsa.testkit.PodIdentityEnvironment pod = dev.irsa.testkit.PodIdentityEnvironment.start()) {
            Map<String, Object> p = new HashMap<>(pod.podEnvironment());
            p.put("irsa.policy-arns", "arn:aws:iam::aws:policy/ReadOnlyAccess");
            Throwable scoped = rootCause(() -> ApplicationContext.run(p).close());
            assertThat(scoped).hasMessageContaining("EKS Pod Identity").hasMessageContaining("irsa.policy-arns");
            assertThat(pod.agent().calls()).isEmpty();
        }
    }

    @Test
    void eagerStartFailsTheStartWithTheReason(IrsaEnvironment env) {
        Throwable denied = rootCause(() -> ApplicationContext.run(pod(env, "irsa.eager-start", "true",
                "AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/nope")).close());
        assertThat(denied).hasMessageContaining("AccessDenied");
    }

    /** A malformed role ARN is a setting to fix, not an STS failure, also with eager start (which calls STS). */
    @Test
    void eagerStartWithAMalformedRoleArnReportsTheSettingNotAnStsFailure(IrsaEnvironment env) {
        Throwable[] thrown = new Throwable[1];
        assertThatThrownBy(() -> ApplicationContext.run(Map.of("irsa.eager-start", "true", "irsa.role-arn", "not-an-arn",
                "irsa.token-file", env.tokenFile().toString(), "irsa.region", env.region())).close())
                .satisfies(e -> thrown[0] = e);
        Throwable ours = thrown[0];
        while (ours != null && !(ours instanceof ConfigurationException)) {
            ours = ours.getCause();
        }
        assertThat(ours).as("a ConfigurationException in " + thrown[0]).isNotNull();
        assertThat(ours).hasMessageContaining("settings are invalid").hasMessageContaining("Malformed IAM role ARN")
                .hasMessageNotContaining("could not get credentials");
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isZero();
    }

    /** The application's own AwsCredentialsProvider bean wins, primary or not: IRSA creates nothing, calls nothing. */
    @Test
    void aUsersOwnPrimaryCredentialsProviderMakesIrsaBackOff(IrsaEnvironment env) {
        userProviderWins(env, "primary");
    }

    @Test
    void aUsersOwnPlainCredentialsProviderMakesIrsaBackOff(IrsaEnvironment env) {
        userProviderWins(env, "plain");
    }

    private static void userProviderWins(IrsaEnvironment env, String kind) {
        try (ApplicationContext ctx = ApplicationContext.run(pod(env, "test.user-credentials", kind))) {
            assertThat(ctx.getBean(AwsCredentialsProvider.class).resolveCredentials().accessKeyId())
                    .isEqualTo(UserCredentialsFactory.USER_KEY);
            assertThat(ctx.containsBean(IrsaCredentialsProvider.class)).isFalse();
            assertThat(ctx.containsBean(IrsaHealthIndicator.class)).isFalse();
            assertThat(ctx.getBean(AwsCredentialsProviderChain.class).toString()).doesNotContain("Irsa");
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isZero();
        }
    }

    /**
     * micronaut-aws's distributed configuration reads Parameter Store / Secrets Manager in the bootstrap context, with
     * the chain bean: there too it is IRSA's, on the session the application then uses (one STS call), and the
     * bootstrap context's hold on that session is released when the application stops. The default chain would have
     * answered with the aws.accessKeyId property.
     */
    @Test
    void distributedConfigurationInTheBootstrapContextUsesTheSameSession(IrsaEnvironment env) {
        try (ApplicationContext ctx = ApplicationContext.run(pod(env, "test.bootstrap-locator", "true",
                "aws.accessKeyId", "AKIADEFAULTCHAIN0001", "aws.secretKey", "not-irsa", "irsa.warm-up", "false"))) {
            String bootstrapKey = ctx.getRequiredProperty("test.bootstrap.key", String.class);
            assertThat(bootstrapKey).startsWith("ASIA");
            assertThat(bootstrapKey).isEqualTo(ctx.getBean(IrsaCredentialsProvider.class).resolveCredentials()
                    .accessKeyId());
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
        }
    }

    @Test
    void eagerStartHasCredentialsWhenTheContextIsUp(IrsaEnvironment env) {
        try (ApplicationContext ctx = ApplicationContext.run(pod(env, "irsa.eager-start", "true"))) {
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
            assertThat(health(ctx).getStatus()).isEqualTo(HealthStatus.UP);
        }
    }

    @Test
    void warmsUpOffTheStartupPathSoHealthIsUpBeforeAnyUse(IrsaEnvironment env) throws InterruptedException {
        // STS answers in 8 s; the context's own startup (timed too) gets 5 s of it on a loaded machine, so a startup
        // under 5 s cannot have waited for STS. The read and attempt timeouts (5 s and 10 s by default) are raised so
        // the slow answer is still taken.
        env.sts().faults().latency(Duration.ofSeconds(8));
        long t0 = System.nanoTime();
        try (ApplicationContext ctx = ApplicationContext.run(pod(env, "irsa.read-timeout", "20s",
                "irsa.attempt-timeout", "20s"))) {
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("startup waited for STS")
                    .isLessThan(Duration.ofSeconds(5));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (health(ctx).getStatus() != HealthStatus.UP && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(health(ctx).getStatus()).as("health without anyone asking for credentials")
                    .isEqualTo(HealthStatus.UP);
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
        }
    }

    @Test
    void healthIsUnknownUntilAskedThenDownWithTheReason(IrsaEnvironment env) {
        try (ApplicationContext ctx = ApplicationContext.run(pod(env, "irsa.warm-up", "false",
                "AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/nope"))) {
            assertThat(health(ctx).getStatus()).isEqualTo(HealthStatus.UNKNOWN);
            assertThatThrownBy(() -> ctx.getBean(IrsaCredentialsProvider.class).resolveCredentials())
                    .hasMessageContaining("AccessDenied");
            HealthResult down = health(ctx);
            assertThat(down.getStatus()).isEqualTo(HealthStatus.DOWN);
            assertThat(down.getDetails().toString()).contains("AccessDenied").contains("trust policy");
        }
    }

    @Test
    void healthSwitchedOffByProperty(IrsaEnvironment env) {
        try (ApplicationContext ctx = ApplicationContext.run(pod(env, "endpoints.health.irsa.enabled", "false"))) {
            assertThat(ctx.containsBean(IrsaCredentialsProvider.class)).isTrue();
            assertThat(ctx.containsBean(IrsaHealthIndicator.class)).isFalse();
        }
    }

    @Test
    void aClosedSdkClientLeavesTheSessionRunningAndShutdownReleasesIt(IrsaEnvironment env) {
        IrsaCredentialsProvider provider;
        try (ApplicationContext ctx = ApplicationContext.run(pod(env, "irsa.warm-up", "false"))) {
            provider = ctx.getBean(IrsaCredentialsProvider.class);
            // The SDK closes the provider a client was built with when the client closes.
            try (StsClient sts = StsClient.builder().endpointOverride(env.stsEndpoint()).region(Region.of(env.region()))
                    .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                    .credentialsProvider(provider).build()) {
                assertThat(sts.getCallerIdentity().arn()).contains(":assumed-role/");
            }
            assertThat(provider.state().orElseThrow().status()).isEqualTo(SessionState.Status.VALID);
            assertThat(health(ctx).getStatus()).isEqualTo(HealthStatus.UP);
            assertThat(SessionRegistry.global().size()).isEqualTo(1);
        }
        assertThat(SessionRegistry.global().size()).as("sessions after shutdown").isZero();
        assertThat(provider.state().orElseThrow().status()).isEqualTo(SessionState.Status.CLOSED);
    }
}
