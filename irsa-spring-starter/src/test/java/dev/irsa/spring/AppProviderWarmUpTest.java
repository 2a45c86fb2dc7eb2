package dev.irsa.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The warm-up reads whether credentials are held from the provider itself, not from {@code irsa.eager-start}: that
 * property describes the starter's own bean only. An application bean that takes the starter's bean name (so the
 * starter's steps aside) and does not start eagerly is still warmed up, so health turns UP without anyone asking.
 */
class AppProviderWarmUpTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
            IrsaAutoConfiguration.class, dev.irsa.spring.boot3.IrsaHealthAutoConfiguration.class,
            dev.irsa.spring.boot4.IrsaHealthAutoConfiguration.class));

    /** The pod's variables as properties, as on a pod: the starter is on, and steps aside for the application's bean. */
    private static String[] pod(IrsaEnvironment env) {
        return env.podEnvironment().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    @Test
    void anApplicationProviderUnderTheStartersNameIsWarmedUpWhateverIrsaEagerStartSays(IrsaEnvironment env) {
        runner.withPropertyValues(pod(env)).withPropertyValues("irsa.eager-start=true")
                .withBean("irsaCredentialsProvider", IrsaCredentialsProvider.class, () -> IrsaCredentialsProvider
                        .builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                        .roleSessionName("app-own").build())
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(ctx.getBean(IrsaCredentialsProvider.class).config().orElseThrow().roleSessionName())
                            .isEqualTo("app-own");
                    assertThat(ctx).as("the warm-up is there for the application's provider").hasSingleBean(IrsaWarmUp.class);
                    Object indicator = ctx.getBean("irsaHealthIndicator");
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (!"UP".equals(BootLine.health(indicator)[0]) && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    assertThat(BootLine.health(indicator)[0]).as("health without anyone asking for credentials")
                            .isEqualTo("UP");
                    assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
                });
    }

    @Test
    void anEagerApplicationProviderIsNotAskedAgain(IrsaEnvironment env) {
        runner.withPropertyValues(pod(env)).withBean("irsaCredentialsProvider", IrsaCredentialsProvider.class, () -> IrsaCredentialsProvider
                        .builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                        .roleSessionName("app-eager").eagerStart(true).build())
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(BootLine.health(ctx.getBean("irsaHealthIndicator"))[0]).isEqualTo("UP");
                    assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
                });
    }
}
