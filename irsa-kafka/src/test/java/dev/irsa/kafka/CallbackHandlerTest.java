package dev.irsa.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.Fault;
import dev.irsa.testkit.IrsaEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerTokenCallback;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.msk.auth.iam.internals.AWSCredentialsCallback;

/** The handlers' contract with Kafka: configuration errors, and never waiting for STS on a network thread. */
class CallbackHandlerTest {
    private static final List<AppConfigurationEntry> OAUTH_JAAS = List.of(new AppConfigurationEntry(
            OAuthBearerLoginModule.class.getName(), AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of()));

    private static IrsaCredentialsProvider provider(IrsaEnvironment env, java.time.Clock clock) {
        return IrsaCredentialsProvider.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                .roleSessionName("handler-test").clock(clock)
                // a loaded 2-core machine can take seconds over the JVM's first STS exchange: give it time
                .refreshPolicy(dev.irsa.core.RefreshPolicy.builder().waitTimeout(Duration.ofSeconds(30)).build())
                .shared(false).build();
    }

    @Test
    void eachHandlerNamesTheOtherWhenGivenTheWrongMechanism() {
        assertThatThrownBy(() -> new IrsaMskIamCallbackHandler().configure(Map.of(), "OAUTHBEARER", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sasl.login.callback.handler.class=" + IrsaMskOAuthBearerLoginCallbackHandler.class.getName());
        assertThatThrownBy(() -> new IrsaMskOAuthBearerLoginCallbackHandler().configure(Map.of(), "AWS_MSK_IAM", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sasl.client.callback.handler.class=" + IrsaMskIamCallbackHandler.class.getName());
        assertThatThrownBy(() -> new IrsaMskIamCallbackHandler().configure(Map.of("irsa.credentials.provider", "nope"),
                "AWS_MSK_IAM", List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must hold an dev.irsa.sdk.IrsaCredentialsProvider instance");
        assertThatThrownBy(() -> new IrsaMskOAuthBearerLoginCallbackHandler().configure(Map.of(), "OAUTHBEARER",
                List.of(new AppConfigurationEntry(OAuthBearerLoginModule.class.getName(),
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of("region", "us west 2")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Not an AWS region");
    }

    @Test
    void configureFailsWithTheReasonWhenNoCredentialsCanBeHad() {
        try (IrsaEnvironment env = IrsaEnvironment.start(); IrsaCredentialsProvider p = provider(env, java.time.Clock.systemUTC())) {
            env.sts().faults().failAlways(Fault.REGION_DISABLED);
            assertThatThrownBy(() -> new IrsaMskIamCallbackHandler().configure(Map.of("irsa.credentials.provider", p),
                    "AWS_MSK_IAM", List.of())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Kafka AWS_MSK_IAM authentication needs IRSA credentials, and none could be had")
                    .hasMessageContaining("RegionDisabled");
        }
    }

    /**
     * While the background refresh is stuck on a slow STS and the cached credentials reach their mandatory window and
     * expiry, an authentication on Kafka's network thread fails at once with the reason instead of waiting; once the
     * refresh lands it succeeds again with the new credentials.
     */
    @Test
    void awsMskIamCallbackNeverWaitsForSts() throws Exception {
        try (IrsaEnvironment env = IrsaEnvironment.start()) {
            env.sts().credentialLifetime(Duration.ofSeconds(5));
            IrsaMskIamCallbackHandler handler = new IrsaMskIamCallbackHandler();
            try (IrsaCredentialsProvider shortLived = provider(env, java.time.Clock.systemUTC())) {
                handler.configure(Map.of("irsa.credentials.provider", shortLived), "AWS_MSK_IAM", List.of());
                AWSCredentialsCallback first = new AWSCredentialsCallback();
                handler.handle(new Callback[] {first});
                assertThat(first.isSuccessful()).isTrue();
                String secret = first.getAwsCredentials().secretAccessKey();

                env.sts().faults().latency(Duration.ofSeconds(3));
                Exception refused = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
                while (refused == null && System.nanoTime() < deadline) {
                    AWSCredentialsCallback cb = new AWSCredentialsCallback();
                    long start = System.nanoTime();
                    handler.handle(new Callback[] {cb});
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("one callback").isLessThan(Duration.ofMillis(300));
                    refused = cb.getLoadingException();
                    Thread.sleep(25);
                }
                assertThat(refused).as("a refusal while STS is slow").isNotNull()
                        .hasMessageContaining("does not wait for STS").hasMessageNotContaining(secret);

                env.sts().faults().clear();
                AWSCredentialsCallback after = new AWSCredentialsCallback();
                deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!after.isSuccessful() && System.nanoTime() < deadline) { // as Kafka retries after its backoff
                    Thread.sleep(50);
                    handler.handle(new Callback[] {after});
                }
                assertThat(after.isSuccessful()).isTrue();
                assertThat(after.getAwsCredentials().secretAccessKey()).isNotEqualTo(secret);
                assertThat(handler.toString()).doesNotContain(secret, after.getAwsCredentials().secretAccessKey());
                handler.close();
            }
        }
    }

    @Test
    void oauthBearerHandlerSignsATokenFromTheProvidersCredentials() throws Exception {
        try (IrsaEnvironment env = IrsaEnvironment.start(); IrsaCredentialsProvider p = provider(env, java.time.Clock.systemUTC())) {
            IrsaMskOAuthBearerLoginCallbackHandler handler = new IrsaMskOAuthBearerLoginCallbackHandler();
            handler.configure(Map.of("irsa.credentials.provider", p), "OAUTHBEARER", OAUTH_JAAS);
            OAuthBearerTokenCallback cb = new OAuthBearerTokenCallback();
            handler.handle(new Callback[] {cb});
            var c = (AwsSessionCredentials) p.resolveCredentials();
            assertThat(cb.token()).isNotNull();
            assertThat(cb.token().lifetimeMs()).isLessThanOrEqualTo(c.expirationTime().orElseThrow().toEpochMilli());
            String url = new String(java.util.Base64.getUrlDecoder().decode(cb.token().value()));
            assertThat(url).startsWith("https://kafka.us-west-2.amazonaws.com/").contains(c.accessKeyId())
                    .doesNotContain(c.secretAccessKey());
            assertThat(handler.toString()).contains("us-west-2").doesNotContain(c.secretAccessKey(), cb.token().value());
            handler.close();
            assertThat(p.resolveCredentials()).as("a provider handed over stays its owner's").isNotNull();
        }
    }
}
