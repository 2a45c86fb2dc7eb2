package dev.irsa.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.CredentialSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.PodIdentityEnvironment;
import dev.irsa.testkit.junit.PodIdentityEmulatorExtension;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The starter in a pod that has only the EKS Pod Identity variables (no IRSA pair), on whichever Spring Boot line
 * the build selected: the bean, health and meters all say pod-identity, against the agent emulator on loopback.
 */
@org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
class PodIdentityStarterTest {
    @RegisterExtension
    static final PodIdentityEmulatorExtension podIdentity = PodIdentityEmulatorExtension.create();

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
            IrsaAutoConfiguration.class, dev.irsa.spring.boot3.IrsaHealthAutoConfiguration.class,
            dev.irsa.spring.boot4.IrsaHealthAutoConfiguration.class));

    @AfterEach
    void noSessionLeftBehind() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (dev.irsa.core.internal.SessionRegistry.global().size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(dev.irsa.core.internal.SessionRegistry.global().size()).as("sessions left open").isZero();
    }

    /** The pod's variables as properties: Spring's Environment is the settings source, so no process env is touched. */
    private static String[] pod(PodIdentityEnvironment env) {
        assertThat(env.podEnvironment()).doesNotContainKeys("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE");
        return env.podEnvironment().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    @Test
    void theBeanServesPodIdentityCredentialsThatSignACall(PodIdentityEnvironment env) {
        runner.withPropertyValues(pod(env)).withPropertyValues("irsa.warm-up=false").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx).hasSingleBean(AwsCredentialsProvider.class).hasSingleBean(IrsaCredentialsProvider.class);
            IrsaCredentialsProvider provider = ctx.getBean(IrsaCredentialsProvider.class);
            AwsSessionCredentials c = (AwsSessionCredentials) provider.resolveCredentials();
            assertThat(c.accessKeyId()).startsWith("ASIA");
            assertThat(provider.source()).contains(CredentialSource.POD_IDENTITY);
            assertThat(env.agent().count("Success")).isEqualTo(1);
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).as("no IRSA call").isZero();
            try (StsClient sts = StsClient.builder().endpointOverride(env.sts().endpoint()).region(Region.of(env.region()))
                    .httpClient(UrlConnectionHttpClient.create())
                    .credentialsProvider(StaticCredentialsProvider.create(c)).build()) {
                assertThat(sts.getCallerIdentity().arn()).startsWith("arn:aws:sts::111122223333:assumed-role/app-role/");
            }
        });
    }

    @Test
    void anIrsaOnlyPropertyIgnoredForPodIdentityIsNamedInOneWarning(PodIdentityEnvironment env,
            org.springframework.boot.test.system.CapturedOutput output) {
        // The bean and IrsaSessionKeeper's toBuilder() copy are two providers of one configuration: one WARN.
        runner.withPropertyValues(pod(env)).withPropertyValues("irsa.warm-up=false", "irsa.region=eu-north-1")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    ctx.getBean(IrsaCredentialsProvider.class).resolveCredentials();
                });
        assertThat(output.getAll().lines().filter(l -> l.contains("WARN") && l.contains("are ignored")).toList())
                .as(output.getAll()).hasSize(1);
    }

    @Test
    void healthIsUpWithSourcePodIdentityAndDownWithTheFix(PodIdentityEnvironment env) {
        runner.withPropertyValues(pod(env)).withPropertyValues("irsa.warm-up=false").run(ctx -> {
            Object indicator = ctx.getBean("irsaHealthIndicator");
            ctx.getBean(IrsaCredentialsProvider.class).resolveCredentials();
            Object[] up = BootLine.health(indicator);
            assertThat(up[0]).as(BootLine.name()).isEqualTo("UP");
            @SuppressWarnings("unchecked")
            Map<String, Object> details = (Map<String, Object>) up[1];
            assertThat(details).containsEntry("source", "pod-identity").containsKey("timeToExpiry").containsKey("expiration");
            assertThat(details.toString()).contains(env.agentEndpoint().toString());
        });
        String otherServiceAccount = env.issuer().token(env.namespace(), "other").audience("pods.eks.amazonaws.com").sign();
        runner.withPropertyValues(pod(env)).withPropertyValues("irsa.warm-up=false",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN=" + otherServiceAccount).run(ctx -> {
            try {
                ctx.getBean(IrsaCredentialsProvider.class).resolveCredentials();
            } catch (RuntimeException expected) {
                // 403: no association for default/other
            }
            Object[] down = BootLine.health(ctx.getBean("irsaHealthIndicator"));
            assertThat(down[0]).isEqualTo("DOWN");
            assertThat(down[1].toString()).contains("source=pod-identity").contains("No Pod Identity Association")
                    .doesNotContain(otherServiceAccount);
        });
    }

    @Test
    void metersAreTaggedSourcePodIdentity(PodIdentityEnvironment env) {
        runner.withPropertyValues(pod(env)).withPropertyValues("irsa.warm-up=false").run(ctx -> {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            ctx.getBean(IrsaMetrics.class).bindTo(registry);
            ctx.getBean(IrsaCredentialsProvider.class).resolveCredentials();
            assertThat(registry.get("irsa.credentials.refresh").tag("outcome", "success").tag("trigger", "initial")
                    .tag("source", "pod-identity").functionTimer().count()).isEqualTo(1);
            assertThat(registry.get("irsa.credentials.expiry").tag("source", "pod-identity").gauge().value())
                    .as("6 h, as EKS Pod Identity").isBetween(21_000.0, 21_601.0);
            assertThat(registry.getMeters()).isNotEmpty().allSatisfy(m -> assertThat(m.getId().getTag("source"))
                    .as(m.getId().toString()).isEqualTo("pod-identity"));
        });
        String otherServiceAccount = env.issuer().token(env.namespace(), "other").audience("pods.eks.amazonaws.com").sign();
        runner.withPropertyValues(pod(env)).withPropertyValues("irsa.warm-up=false",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN=" + otherServiceAccount).run(ctx -> {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            ctx.getBean(IrsaMetrics.class).bindTo(registry);
            try {
                ctx.getBean(IrsaCredentialsProvider.class).resolveCredentials();
            } catch (RuntimeException expected) {
                // 403
            }
            assertThat(registry.get("irsa.credentials.refresh.failures").tag("kind", "non_recoverable")
                    .tag("source", "pod-identity").functionCounter().count()).isEqualTo(1);
            assertThat(registry.getMeters()).extracting(Meter::getId).noneMatch(id -> "web-identity".equals(id.getTag("source")));
        });
    }
}
