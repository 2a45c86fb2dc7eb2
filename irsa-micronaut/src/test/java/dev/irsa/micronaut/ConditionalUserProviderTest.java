package dev.irsa.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import io.micronaut.context.ApplicationContext;
import io.micronaut.inject.qualifiers.Qualifiers;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;

/**
 * An application's own {@code AwsCredentialsProvider} bean whose {@code @Requires} names a credentials provider type
 * (see {@link ConditionalUserCredentialsFactory}): a fallback that steps aside when IRSA is there lets IRSA win, a bean
 * that requires IRSA's is created beside it. IRSA configured by {@code irsa.*} against the test kit's emulator, as on
 * a pod (where the integration's own condition no longer stops at "not configured").
 */
class ConditionalUserProviderTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    @AfterEach
    void noSessionAfterTheContextClosed() {
        assertThat(SessionRegistry.global().size()).as("sessions open after close").isZero();
    }

    private static Map<String, Object> irsa(IrsaEnvironment env, String variant) {
        Map<String, Object> p = new HashMap<>();
        p.put("irsa.role-arn", env.roleArn());
        p.put("irsa.token-file", env.tokenFile().toString());
        p.put("irsa.region", env.region());
        p.put("irsa.sts-endpoint", env.stsEndpoint().toString());
        p.put("irsa.warm-up", "false");
        p.put("aws.region", env.region());
        p.put("test.conditional-credentials", variant);
        return p;
    }

    @Test
    void aFallbackThatStepsAsideForIrsaLetsIrsaWin(IrsaEnvironment env) {
        irsaWins(env, "unless-irsa");
    }

    @Test
    void aFallbackThatStepsAsideForAnyProviderLetsIrsaWin(IrsaEnvironment env) {
        irsaWins(env, "unless-any");
    }

    private static void irsaWins(IrsaEnvironment env, String variant) {
        try (ApplicationContext ctx = ApplicationContext.run(irsa(env, variant))) {
            assertThat(ctx.containsBean(AwsCredentialsProvider.class, Qualifiers.byName("local")))
                    .as("the fallback stepped aside").isFalse();
            IrsaCredentialsProvider provider = ctx.getBean(IrsaCredentialsProvider.class);
            assertThat(ctx.getBean(AwsCredentialsProvider.class)).isSameAs(provider);
            assertThat(ctx.getBean(AwsCredentialsProviderChain.class).toString()).contains("Irsa");
            assertThat(ctx.getBean(AwsCredentialsProvider.class).resolveCredentials().accessKeyId()).startsWith("ASIA");
            assertThat(ctx.containsBean(IrsaHealthIndicator.class)).isTrue();
        }
    }

    @Test
    void withoutIrsaTheFallbackIsUsed() {
        try (ApplicationContext ctx = ApplicationContext.run(Map.of("aws.region", "us-west-2",
                "test.conditional-credentials", "unless-irsa"))) {
            assertThat(ctx.containsBean(IrsaCredentialsProvider.class)).isFalse();
            assertThat(ctx.getBean(AwsCredentialsProvider.class, Qualifiers.byName("local")).resolveCredentials()
                    .accessKeyId()).isEqualTo(ConditionalUserCredentialsFactory.FALLBACK_KEY);
        }
    }

    /** As docs/micronaut.md says: micronaut-aws's default chain is an AwsCredentialsProvider bean too. */
    @Test
    void withoutIrsaAFallbackForAnyProviderStepsAsideForMicronautAwsChain() {
        try (ApplicationContext ctx = ApplicationContext.run(Map.of("aws.region", "us-west-2",
                "test.conditional-credentials", "unless-any"))) {
            assertThat(ctx.containsBean(IrsaCredentialsProvider.class)).isFalse();
            assertThat(ctx.containsBean(AwsCredentialsProvider.class, Qualifiers.byName("local"))).isFalse();
            assertThat(ctx.getBean(AwsCredentialsProviderChain.class).toString()).doesNotContain("Irsa");
        }
    }

    @Test
    void aBeanThatRequiresIrsaIsCreatedBesideIt(IrsaEnvironment env) {
        createdBeside(env, "with-irsa");
    }

    /** Found by re-entry, not by the bean's annotations: the same answer. */
    @Test
    void aBeanThatRequiresAnotherOfIrsasBeansIsCreatedBesideIt(IrsaEnvironment env) {
        createdBeside(env, "with-irsa-health");
    }

    private static void createdBeside(IrsaEnvironment env, String variant) {
        try (ApplicationContext ctx = ApplicationContext.run(irsa(env, variant))) {
            IrsaCredentialsProvider provider = ctx.getBean(IrsaCredentialsProvider.class);
            AwsCredentialsProvider wrapping = ctx.getBean(AwsCredentialsProvider.class, Qualifiers.byName("wrapping"));
            assertThat(wrapping).isInstanceOf(ConditionalUserCredentialsFactory.Wrapping.class);
            assertThat(((ConditionalUserCredentialsFactory.Wrapping) wrapping).delegate()).isSameAs(provider);
            assertThat(ctx.getBean(AwsCredentialsProvider.class)).as("IRSA's is primary").isSameAs(provider);
            assertThat(wrapping.resolveCredentials().accessKeyId()).startsWith("ASIA");
        }
    }
}
