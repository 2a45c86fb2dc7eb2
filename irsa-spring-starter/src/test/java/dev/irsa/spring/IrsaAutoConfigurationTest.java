package dev.irsa.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Every condition and property of the starter, on whichever Spring Boot line the build selected. */
class IrsaAutoConfigurationTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    /** When each refresh (STS call) of a test's provider started, by System.nanoTime(). */
    private static final java.util.Queue<Long> refreshesStarted = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
            IrsaAutoConfiguration.class, dev.irsa.spring.boot3.IrsaHealthAutoConfiguration.class,
            dev.irsa.spring.boot4.IrsaHealthAutoConfiguration.class))
            .withBean("refreshRecorder", dev.irsa.core.RefreshListener.class, () -> new dev.irsa.core.RefreshListener() {
                @Override
                public void onRefreshStarted(Started event) {
                    refreshesStarted.add(System.nanoTime());
                }
            });

    /**
     * A closed context leaves no session behind, and nothing it started makes an STS call afterwards: checked over
     * a quiet period, not at one instant, since a call answered after the close would open a session of its own (a
     * later test with the same pod would join it, already answered). STS calls are told by when their refresh
     * started, not by when they reached the emulator: a call already under way at the close may arrive after it.
     */
    @org.junit.jupiter.api.AfterEach
    void noSessionOrStsCallAfterTheContextClosed() throws Exception {
        long closed = System.nanoTime();
        long quiet = closed + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200);
        do {
            assertThat(dev.irsa.core.internal.SessionRegistry.global().size()).as("sessions open after close").isZero();
            Thread.sleep(5);
        } while (System.nanoTime() < quiet);
        assertThat(refreshesStarted).as("STS calls started after close").noneMatch(t -> t - closed > 0);
        refreshesStarted.clear();
    }

    /** The pod's variables as properties: Spring's Environment is the settings source, so no process env is touched. */
    private static String[] pod(IrsaEnvironment env) {
        return env.podEnvironment().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    @Test
    void runsOnTheLineTheBuildSelected() {
        // -Dboot3 selects Spring Boot 3.5; the default is 4.0. Guards against a profile that silently does nothing.
        assertThat(BootLine.BOOT4).as(BootLine.name()).isEqualTo(System.getProperty("boot3") == null);
        assertThat(org.springframework.boot.SpringBootVersion.getVersion()).startsWith(BootLine.BOOT4 ? "4.0." : "3.5.");
    }

    @Test
    void nothingWithoutIrsaAndNothingFails() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx).doesNotHaveBean(AwsCredentialsProvider.class);
            assertThat(ctx).doesNotHaveBean("irsaHealthIndicator");
        });
    }

    @Test
    void fromThePodEnvironment(IrsaEnvironment env) {
        runner.withPropertyValues(pod(env)).run(ctx -> {
            assertThat(ctx).hasSingleBean(AwsCredentialsProvider.class).hasSingleBean(IrsaCredentialsProvider.class);
            AwsSessionCredentials c = (AwsSessionCredentials) ctx.getBean(AwsCredentialsProvider.class).resolveCredentials();
            assertThat(c.accessKeyId()).startsWith("ASIA");
        });
    }

    @Test
    void fromIrsaProperties(IrsaEnvironment env) {
        runner.withPropertyValues("irsa.role-arn=" + env.roleArn(), "irsa.token-file=" + env.tokenFile(),
                "irsa.region=" + env.region(), "irsa.sts-endpoint=" + env.stsEndpoint(), "irsa.session-name=from-props",
                "irsa.session-duration=2h", "irsa.refresh.wait-timeout=3s", "irsa.refresh.mandatory-window=30s",
                "irsa.attempt-timeout=7s", "irsa.refresh.minimum-interval=20s")
                .run(ctx -> {
                    IrsaProperties p = ctx.getBean(IrsaProperties.class);
                    assertThat(IrsaAutoConfiguration.refreshPolicy(p).minimumRefreshInterval()).hasSeconds(20);
                    assertThat(IrsaAutoConfiguration.refreshPolicy(new IrsaProperties()).minimumRefreshInterval())
                            .hasSeconds(60);
                    assertThat(p.getSessionDuration()).hasHours(2);
                    assertThat(p.getAttemptTimeout()).hasSeconds(7);
                    assertThat(IrsaAutoConfiguration.irsaConfig(p, dev.irsa.core.SettingsSource.system()).attemptTimeout())
                            .hasSeconds(7);
                    assertThat(p.getRefresh().getWaitTimeout()).hasSeconds(3);
                    IrsaCredentialsProvider provider = ctx.getBean(IrsaCredentialsProvider.class);
                    provider.resolveCredentials();
                    assertThat(env.sts().assumedRoleArnOf(provider.resolveCredentials().accessKeyId()))
                            .contains("arn:aws:sts::111122223333:assumed-role/app-role/from-props");
                    assertThat(env.sts().calls().all()).last().satisfies(call -> assertThat(call.roleSessionName()).isEqualTo("from-props"));
                });
    }

    @Test
    void disabledByProperty(IrsaEnvironment env) {
        runner.withPropertyValues(pod(env)).withPropertyValues("irsa.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(AwsCredentialsProvider.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnProvider {
        @Bean
        AwsCredentialsProvider myCredentials() {
            return StaticCredentialsProvider.create(AwsSessionCredentials.create("AKIDMINE", "mine", "mine"));
        }
    }

    @Test
    void aUsersOwnProviderWins(IrsaEnvironment env) {
        runner.withPropertyValues(pod(env)).withUserConfiguration(OwnProvider.class).run(ctx -> {
            assertThat(ctx).hasSingleBean(AwsCredentialsProvider.class).doesNotHaveBean(IrsaCredentialsProvider.class);
            assertThat(ctx.getBean(AwsCredentialsProvider.class).resolveCredentials().accessKeyId()).isEqualTo("AKIDMINE");
        });
    }

    @Test
    void springCloudAwsFindsOurProviderAndBacksOff(IrsaEnvironment env) {
        // The real Spring Cloud AWS (4.0.x on Boot 4, 3.4.x on Boot 3.5), listed first on purpose: the
        // auto-configuration order, not the listing, must put ours before theirs.
        AutoConfigurations both = AutoConfigurations.of(io.awspring.cloud.autoconfigure.core.CredentialsProviderAutoConfiguration.class,
                io.awspring.cloud.autoconfigure.core.RegionProviderAutoConfiguration.class, IrsaAutoConfiguration.class);
        new ApplicationContextRunner().withConfiguration(both).withPropertyValues(pod(env)).run(ctx -> {
            assertThat(ctx).hasSingleBean(AwsCredentialsProvider.class).hasSingleBean(IrsaCredentialsProvider.class);
            assertThat(ctx.getBean(AwsCredentialsProvider.class).resolveCredentials().accessKeyId()).startsWith("ASIA");
        });
        new ApplicationContextRunner().withConfiguration(both).withPropertyValues(
                        "spring.cloud.aws.credentials.access-key=AKIDSPRINGCLOUDAWS", "spring.cloud.aws.credentials.secret-key=s")
                .run(ctx -> assertThat(ctx.getBean(AwsCredentialsProvider.class).resolveCredentials().accessKeyId())
                        .as("without IRSA, Spring Cloud AWS's own provider").isEqualTo("AKIDSPRINGCLOUDAWS"));
    }

    @Test
    void withoutTheAwsSdkNothingIsCreated(IrsaEnvironment env) {
        runner.withPropertyValues(pod(env)).withClassLoader(new FilteredClassLoader(AwsCredentialsProvider.class))
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(ctx).doesNotHaveBean("irsaCredentialsProvider");
                });
    }

    @Test
    void withoutMicrometerNoMetricsButCredentials(IrsaEnvironment env) {
        runner.withPropertyValues(pod(env)).withClassLoader(new FilteredClassLoader("io.micrometer")).run(ctx -> {
            assertThat(ctx).hasSingleBean(IrsaCredentialsProvider.class).doesNotHaveBean(IrsaMetrics.class);
        });
    }

    @Test
    void withoutActuatorHealthNoHealthContributor(IrsaEnvironment env) {
        runner.withPropertyValues(pod(env)).withClassLoader(new FilteredClassLoader(BootLine.healthIndicatorClass()))
                .run(ctx -> assertThat(ctx).hasSingleBean(IrsaCredentialsProvider.class).doesNotHaveBean("irsaHealthIndicator"));
        runner.withPropertyValues(pod(env)).withPropertyValues("management.health.irsa.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean("irsaHealthIndicator"));
    }

    @Test
    void healthIsUpWithRoleAndExpiryAndDownWithTheFix(IrsaEnvironment env) {
        runner.withPropertyValues(pod(env)).withPropertyValues("irsa.warm-up=false").run(ctx -> {
            Object indicator = ctx.getBean("irsaHealthIndicator");
            assertThat(BootLine.health(indicator)[0]).as(BootLine.name()).isEqualTo("UNKNOWN");
            AwsSessionCredentials c = (AwsSessionCredentials) ctx.getBean(IrsaCredentialsProvider.class).resolveCredentials();
            Object[] up = BootLine.health(indicator);
            assertThat(up[0]).isEqualTo("UP");
            @SuppressWarnings("unchecked")
            Map<String, Object> details = (Map<String, Object>) up[1];
            assertThat(details).containsEntry("roleArn", env.roleArn()).containsKey("timeToExpiry").containsKey("expiration");
            assertThat(up[1].toString()).doesNotContain(c.secretAccessKey()).doesNotContain(c.sessionToken());
        });
        runner.withPropertyValues(pod(env)).withPropertyValues("AWS_ROLE_ARN=arn:aws:iam::111122223333:role/nope").run(ctx -> {
            try {
                ctx.getBean(IrsaCredentialsProvider.class).resolveCredentials();
            } catch (RuntimeException expected) {
                // AccessDenied
            }
            Object[] down = BootLine.health(ctx.getBean("irsaHealthIndicator"));
            assertThat(down[0]).isEqualTo("DOWN");
            assertThat(down[1].toString()).contains("AccessDenied").contains("trust policy");
        });
        runner.withPropertyValues(pod(env)).withPropertyValues("AWS_ROLE_ARN=not-an-arn").run(ctx -> {
            Object[] down = BootLine.health(ctx.getBean("irsaHealthIndicator"));
            assertThat(down[0]).isEqualTo("DOWN");
            assertThat(down[1].toString()).contains("Malformed IAM role ARN");
        });
    }

    @Test
    void closingAnSdkClientBuiltOnTheBeanLeavesTheSessionRunning(IrsaEnvironment env) {
        runner.withPropertyValues(pod(env)).withPropertyValues("irsa.warm-up=false").run(ctx -> {
            IrsaCredentialsProvider p = ctx.getBean(IrsaCredentialsProvider.class);
            // The SDK closes the provider a client was built with when the client closes.
            try (software.amazon.awssdk.services.sts.StsClient sts = software.amazon.awssdk.services.sts.StsClient.builder()
                    .endpointOverride(env.stsEndpoint()).region(software.amazon.awssdk.regions.Region.of(env.region()))
                    .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                    .credentialsProvider(p).build()) {
                assertThat(sts.getCallerIdentity().arn()).contains(":assumed-role/");
            }
            long calls = env.sts().calls().count("AssumeRoleWithWebIdentity");
            assertThat(BootLine.health(ctx.getBean("irsaHealthIndicator"))[0]).as("health after a client closed the bean")
                    .isEqualTo("UP");
            assertThat(p.resolveCredentials().accessKeyId()).startsWith("ASIA");
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).as("the bean joined the running session")
                    .isEqualTo(calls);
        });
    }

    @Test
    void warmsUpAtStartupOffTheStartupPathSoHealthIsUpBeforeAnyUse(IrsaEnvironment env) {
        // STS answers slowly: the context must start without waiting for it, then health turns UP on its own.
        // STS takes 8 s; the context's own startup (timed too) gets 5 s of it on a loaded machine, so a startup under
        // 5 s cannot have waited for STS. The read and attempt timeouts (5 s and 10 s by default) are raised so the
        // slow answer is still taken.
        env.sts().faults().latency(java.time.Duration.ofSeconds(8));
        long t0 = System.nanoTime();
        runner.withPropertyValues(pod(env)).withPropertyValues("irsa.read-timeout=20s", "irsa.attempt-timeout=20s").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0)).as("startup waited for STS").isLessThan(java.time.Duration.ofSeconds(5));
            Object indicator = ctx.getBean("irsaHealthIndicator");
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            while (!"UP".equals(BootLine.health(indicator)[0]) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(BootLine.health(indicator)[0]).as("health without anyone asking for credentials").isEqualTo("UP");
            assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
        });
    }

    @Test
    void metricsRecordRefreshesAndExpiry(IrsaEnvironment env) {
        // The warm-up's refresh, finished before the registry is bound, still counts: the meters read what was heard.
        runner.withPropertyValues(pod(env)).run(ctx -> {
            IrsaCredentialsProvider provider = ctx.getBean(IrsaCredentialsProvider.class);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (provider.state().orElseThrow().refreshes() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            ctx.getBean(IrsaMetrics.class).bindTo(registry);
            assertThat(registry.get("irsa.credentials.refresh").tag("outcome", "success").tag("trigger", "initial")
                    .functionTimer().count()).isEqualTo(1);
            assertThat(registry.get("irsa.credentials.refreshes").tag("outcome", "success").functionCounter().count())
                    .isEqualTo(1);
            assertThat(registry.get("irsa.credentials.expiry").gauge().value()).isBetween(3000.0, 3601.0);
        });
        dev.irsa.core.TestIsolation.reset(); // the next context refreshes, not resumes
        runner.withPropertyValues(pod(env)).withPropertyValues("irsa.warm-up=false").run(ctx -> {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            ctx.getBean(IrsaMetrics.class).bindTo(registry);
            ctx.getBean(IrsaCredentialsProvider.class).resolveCredentials();
            assertThat(registry.get("irsa.credentials.refresh").tag("outcome", "success").tag("trigger", "initial").functionTimer()
                    .count()).isEqualTo(1);
            assertThat(registry.get("irsa.credentials.expiry").gauge().value()).isBetween(3000.0, 3601.0);
            assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getName()).matches("[a-z.]+"));
        });
        runner.withPropertyValues(pod(env)).withPropertyValues("AWS_ROLE_ARN=arn:aws:iam::111122223333:role/nope").run(ctx -> {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            ctx.getBean(IrsaMetrics.class).bindTo(registry);
            try {
                ctx.getBean(IrsaCredentialsProvider.class).resolveCredentials();
            } catch (RuntimeException expected) {
                // AccessDenied
            }
            assertThat(registry.get("irsa.credentials.refresh.failures").tag("kind", "non_recoverable").functionCounter().count())
                    .isEqualTo(1);
        });
    }

    @Test
    void eagerStartFailsTheApplicationAtBootWithTheReason(IrsaEnvironment env) {
        runner.withPropertyValues(pod(env)).withPropertyValues("AWS_ROLE_ARN=arn:aws:iam::111122223333:role/nope",
                "irsa.eager-start=true").run(ctx -> {
                    assertThat(ctx).hasFailed();
                    assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("AccessDenied");
                });
        runner.withPropertyValues(pod(env)).withPropertyValues("irsa.eager-start=true", "irsa.session-duration=10m")
                .run(ctx -> assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("900–43200"));
    }

    @Test
    void bootstrapRegistryGetsAProviderForConfigDataImports(IrsaEnvironment env) throws Exception {
        Object bootstrap = BootLine.bootstrapContext();
        BootLine.initialize(bootstrap, SettingsSource.ofEnvironment(env.podEnvironment()));
        assertThat(BootLine.isRegistered(bootstrap, AwsCredentialsProvider.class)).as(BootLine.name()).isTrue();
        AwsCredentialsProvider p = (AwsCredentialsProvider) BootLine.get(bootstrap, AwsCredentialsProvider.class);
        assertThat(p.resolveCredentials().accessKeyId()).startsWith("ASIA");
        ((IrsaCredentialsProvider) p).close();

        // Not configured: asking fails as for a type nobody registered, so Spring Cloud AWS uses its own credentials.
        Object none = BootLine.bootstrapContext();
        BootLine.initialize(none, SettingsSource.ofEnvironment(Map.of()));
        assertThatThrownBy(() -> BootLine.get(none, AwsCredentialsProvider.class)).rootCause()
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not configured");
    }

    @Test
    void aProviderFirstAskedForByALaterCloseListenerIsHandedToTheContextToo(IrsaEnvironment env) throws Exception {
        Object bootstrap = BootLine.bootstrapContext();
        BootLine.initialize(bootstrap, SettingsSource.ofEnvironment(env.podEnvironment()));
        // Registered after ours, so it runs after our hand-over (as Spring Cloud AWS's promoting listener may, building
        // a client, and so our provider, only then).
        List<AwsCredentialsProvider> asked = new ArrayList<>();
        org.springframework.context.ApplicationListener<org.springframework.context.ApplicationEvent> late = e -> {
            try {
                AwsCredentialsProvider p = (AwsCredentialsProvider) BootLine.get(bootstrap, AwsCredentialsProvider.class);
                p.resolveCredentials();
                asked.add(p);
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        };
        bootstrap.getClass().getMethod("addCloseListener", org.springframework.context.ApplicationListener.class)
                .invoke(bootstrap, late);
        var app = new org.springframework.context.support.GenericApplicationContext();
        bootstrap.getClass().getMethod("close", org.springframework.context.ConfigurableApplicationContext.class)
                .invoke(bootstrap, app);
        assertThat(asked).hasSize(1);
        assertThat(dev.irsa.core.internal.SessionRegistry.global().size()).isEqualTo(1);
        app.refresh();
        app.close(); // the context releases the provider with its beans
        assertThat(dev.irsa.core.internal.SessionRegistry.global().size()).as("session left by the late provider").isZero();
    }

    @Test
    void configurationMetadataIsGenerated() throws Exception {
        String json = new String(getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json").readAllBytes());
        assertThat(json).contains("\"irsa.role-arn\"").contains("\"irsa.refresh.mandatory-window\"")
                .contains("\"irsa.attempt-timeout\"")
                .contains("IAM role to assume");
    }

    @Test
    void noSecretInAnyLogLine(IrsaEnvironment env) throws Exception {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        List<String> secrets = new ArrayList<>();
        try {
            runner.withPropertyValues(pod(env)).run(ctx -> {
                AwsSessionCredentials c = (AwsSessionCredentials) ctx.getBean(IrsaCredentialsProvider.class).resolveCredentials();
                secrets.add(c.secretAccessKey());
                secrets.add(c.sessionToken());
            });
            runner.withPropertyValues(pod(env)).withPropertyValues("AWS_ROLE_ARN=arn:aws:iam::111122223333:role/nope")
                    .run(ctx -> {
                        try {
                            ctx.getBean(IrsaCredentialsProvider.class).resolveCredentials();
                        } catch (RuntimeException expected) {
                            // logged as a warning
                        }
                    });
        } finally {
            root.detachAppender(appender);
        }
        secrets.add(Files.readString(env.tokenFile()));
        String all = String.join("\n", appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
        assertThat(all).contains("IRSA");
        secrets.forEach(s -> assertThat(all).doesNotContain(s));
    }
}
