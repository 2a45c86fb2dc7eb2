package dev.irsa.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.Fault;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.ManualClock;
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

    private static final List<AppConfigurationEntry> OAUTH_JAAS_WITH_REGION = List.of(new AppConfigurationEntry(
            OAuthBearerLoginModule.class.getName(), AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
            Map.of("region", "us-west-2")));

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
                .hasMessageContaining("must hold a dev.irsa.sdk.IrsaCredentialsProvider instance");
        assertThatThrownBy(() -> new IrsaMskIamCallbackHandler().configure(Map.of("sasl.irsa.clock", "nope"),
                "AWS_MSK_IAM", List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sasl.irsa.clock must hold a java.time.Clock instance");
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
     * While the background refresh is stuck on a slow STS in the provider's mandatory window (where it would make a
     * caller wait), an authentication on Kafka's network thread is answered at once with the credentials served last,
     * still valid; only once those are about to expire does it fail at once, with the reason, instead of waiting; once
     * the refresh lands it succeeds again with the new credentials. 10-s credentials: a 1-s mandatory window, a
     * 0.25-s margin before expiry; the refresh (no jitter) starts 3.3 s before expiry and STS answers in 5 s.
     */
    @Test
    void awsMskIamCallbackServesTheLastValidCredentialsWhileARefreshRunsAndNeverWaitsForSts() throws Exception {
        try (IrsaEnvironment env = IrsaEnvironment.start()) {
            env.sts().credentialLifetime(Duration.ofSeconds(10));
            IrsaMskIamCallbackHandler handler = new IrsaMskIamCallbackHandler();
            try (IrsaCredentialsProvider shortLived = IrsaCredentialsProvider.builder()
                    .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("handler-test")
                    // 10 s credentials refreshed every few seconds: sooner than the minimum refresh interval allows
                    .refreshPolicy(dev.irsa.core.RefreshPolicy.builder().jitter(0).waitTimeout(Duration.ofSeconds(30))
                            .minimumRefreshInterval(Duration.ZERO).build())
                    .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(20)).shared(false).build()) {
                handler.configure(Map.of("irsa.credentials.provider", shortLived), "AWS_MSK_IAM", List.of());
                // A loaded machine can miss the 1-s window (or see the refresh fail for another reason): then try the
                // next credentials' window, at most three times.
                String secret = null;
                java.time.Instant expiry = null;
                boolean checked = false;
                for (int attempt = 0; attempt < 3 && !checked; attempt++) {
                    env.sts().faults().clear();
                    AWSCredentialsCallback first = new AWSCredentialsCallback();
                    long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                    do { // fresh credentials, well before their mandatory window
                        first = new AWSCredentialsCallback();
                        handler.handle(new Callback[] {first});
                        expiry = first.isSuccessful()
                                ? ((AwsSessionCredentials) first.getAwsCredentials()).expirationTime().orElseThrow() : null;
                        if (expiry == null || Duration.between(java.time.Instant.now(), expiry).toMillis() < 6000) {
                            Thread.sleep(50);
                            expiry = null;
                        }
                    } while (expiry == null && System.nanoTime() < until);
                    assertThat(expiry).as("fresh credentials").isNotNull();
                    secret = first.getAwsCredentials().secretAccessKey();

                    env.sts().faults().latency(Duration.ofSeconds(5));
                    // the provider's mandatory window: it answers with an unfinished future (a caller would wait)
                    while (shortLived.resolveIdentity().isDone() && java.time.Instant.now().isBefore(expiry)) {
                        Thread.sleep(10);
                    }
                    AWSCredentialsCallback inWindow = new AWSCredentialsCallback();
                    handler.handle(new Callback[] {inWindow});
                    // Measured after the callback: more than the 0.25-s margin still left then was left during it
                    // too, however long a loaded machine took over it.
                    Duration left = Duration.between(java.time.Instant.now(), expiry);
                    if (left.toMillis() > 300 && !shortLived.resolveIdentity().isDone()) {
                        assertThat(inWindow.getLoadingException()).as("refused in the mandatory window, although %s left",
                                left).isNull();
                        assertThat(inWindow.getAwsCredentials().secretAccessKey()).isEqualTo(secret);
                        checked = true;
                    }
                }
                assertThat(checked).as("the mandatory window was observed").isTrue();

                Exception refused = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
                while (refused == null && System.nanoTime() < deadline) {
                    AWSCredentialsCallback cb = new AWSCredentialsCallback();
                    // Before the callback: the credentials it serves must be valid when it is made; a loaded machine
                    // may take a while to return, which is not serving expired credentials.
                    java.time.Instant asked = java.time.Instant.now();
                    long start = System.nanoTime();
                    handler.handle(new Callback[] {cb});
                    // Well under STS's 5-s answer: the callback never waits for it.
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("one callback").isLessThan(Duration.ofSeconds(2));
                    refused = cb.getLoadingException();
                    if (refused == null) {
                        assertThat(asked).as("served credentials past their expiry").isBefore(expiry);
                    }
                    Thread.sleep(25);
                }
                assertThat(refused).as("a refusal once the last credentials are about to expire and STS is slow")
                        .isNotNull().hasMessageContaining("does not wait for STS").hasMessageNotContaining(secret);

                env.sts().faults().clear();
                AWSCredentialsCallback after = new AWSCredentialsCallback();
                deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!after.isSuccessful() && System.nanoTime() < deadline) { // as Kafka connects again
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

    /**
     * STS fails throughout the last second of 10-s credentials (a 1-s mandatory window, a 0.25-s margin). Every
     * millisecond step lets the provider settle first (a retry due is made and fails), so the next callback finds the
     * provider backing off with an already-completed future holding the old credentials: that answer, too, must keep
     * the margin. Time is a ManualClock shared by the emulator, the provider and the handler; nothing sleeps.
     */
    @Test
    void awsMskIamCallbackKeepsTheMarginWhenTheProviderServesCachedCredentialsDuringAnStsOutage() throws Exception {
        ManualClock clock = new ManualClock(java.time.Instant.parse("2026-01-05T10:00:00Z"));
        try (IrsaEnvironment env = IrsaEnvironment.builder().clock(clock).credentialLifetime(Duration.ofSeconds(10)).start();
             IrsaCredentialsProvider p = IrsaCredentialsProvider.builder()
                     .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("margin-test")
                     .clock(clock).refreshPolicy(dev.irsa.core.RefreshPolicy.builder().jitter(0).backgroundRefresh(false)
                             .maxAttempts(1).waitTimeout(Duration.ofSeconds(30))
                             .minimumRefreshInterval(Duration.ZERO).build()) // 10 s credentials, refreshed sooner
                     .shared(false).build()) {
            IrsaMskIamCallbackHandler handler = new IrsaMskIamCallbackHandler();
            handler.configure(Map.of("sasl.irsa.credentials.provider", p, "sasl.irsa.clock", clock), "AWS_MSK_IAM",
                    List.of());
            AWSCredentialsCallback first = new AWSCredentialsCallback();
            handler.handle(new Callback[] {first});
            AwsSessionCredentials served = (AwsSessionCredentials) first.getAwsCredentials();
            java.time.Instant expiry = served.expirationTime().orElseThrow();
            Duration margin = Duration.ofMillis(250);

            env.sts().faults().failAlways(Fault.SERVICE_UNAVAILABLE);
            int servedInWindow = 0;
            List<String> insideMargin = new java.util.ArrayList<>();
            String refusal = null;
            for (java.time.Instant t = expiry.minusSeconds(1); t.isBefore(expiry); t = t.plusMillis(10)) {
                clock.set(t);
                // let a refresh the provider starts now (a retry due) finish: the provider then backs off
                p.resolveIdentity().handle((c, e) -> null).get(30, java.util.concurrent.TimeUnit.SECONDS);
                AWSCredentialsCallback cb = new AWSCredentialsCallback();
                handler.handle(new Callback[] {cb});
                Duration left = Duration.between(t, expiry);
                if (cb.isSuccessful()) {
                    if (left.compareTo(margin) < 0) {
                        insideMargin.add(left.toMillis() + " ms");
                    } else {
                        servedInWindow++;
                    }
                } else if (refusal == null) {
                    refusal = cb.getLoadingException().getMessage();
                }
            }
            assertThat(insideMargin).as("callbacks answered with credentials within the %s margin of expiry", margin)
                    .isEmpty();
            assertThat(servedInWindow).as("the last credentials are served outside the margin while STS fails")
                    .isGreaterThan(0);
            assertThat(refusal).isNotNull().contains("ServiceUnavailable").doesNotContain(served.secretAccessKey(),
                    served.sessionToken());
            handler.close();
        }
    }

    /**
     * On a node whose clock is 61 min ahead, the session serves Pod Identity credentials that look expired (the
     * minimum refresh interval): a Kafka authentication cannot use them, and the refusal names the clock and NTP
     * rather than only saying they expired.
     */
    @Test
    void aRefusalOfCredentialsServedPastThisClocksExpiryNamesTheClock() throws Exception {
        ManualClock clock = new ManualClock(java.time.Instant.now());
        try (dev.irsa.testkit.PodIdentityEnvironment pod = dev.irsa.testkit.PodIdentityEnvironment.builder()
                .clock(java.time.Clock.offset(clock, Duration.ofMinutes(-61))).credentialLifetime(Duration.ofHours(1))
                .start();
             IrsaCredentialsProvider p = IrsaCredentialsProvider.builder()
                     .settings(SettingsSource.ofEnvironment(pod.podEnvironment())).clock(clock).shared(false).build()) {
            IrsaMskIamCallbackHandler handler = new IrsaMskIamCallbackHandler();
            handler.configure(Map.of("sasl.irsa.credentials.provider", p, "sasl.irsa.clock", clock), "AWS_MSK_IAM",
                    List.of());
            AWSCredentialsCallback cb = new AWSCredentialsCallback();
            handler.handle(new Callback[] {cb});
            assertThat(cb.isSuccessful()).isFalse();
            assertThat(cb.getLoadingException().getMessage()).contains("clock is most likely ahead").contains("NTP");
            handler.close();
        }
    }

    /**
     * The margin is a fraction of the credentials' lifetime from when STS issued them, not from when this Kafka client
     * first saw them: a consumer (re)built during an STS outage while the shared session's 900-s credentials have 120 s
     * left still keeps 5 s clear of their expiry (a fortieth of the 120 s seen would be 3 s).
     */
    @Test
    void awsMskIamCallbackOfAClientBuiltLateInTheCredentialsLifeKeepsTheFullMargin() throws Exception {
        ManualClock clock = new ManualClock(java.time.Instant.parse("2026-01-05T10:00:00Z"));
        try (IrsaEnvironment env = IrsaEnvironment.builder().clock(clock).credentialLifetime(Duration.ofSeconds(900)).start();
             IrsaCredentialsProvider p = IrsaCredentialsProvider.builder()
                     .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("late-client")
                     .clock(clock).refreshPolicy(dev.irsa.core.RefreshPolicy.builder().jitter(0).backgroundRefresh(false)
                             .maxAttempts(1).waitTimeout(Duration.ofSeconds(30)).build())
                     .shared(false).build()) {
            java.time.Instant expiry = ((AwsSessionCredentials) p.resolveCredentials()).expirationTime().orElseThrow();
            env.sts().faults().failAlways(Fault.SERVICE_UNAVAILABLE);
            clock.set(expiry.minusSeconds(120));
            IrsaMskIamCallbackHandler handler = new IrsaMskIamCallbackHandler();
            handler.configure(Map.of("sasl.irsa.credentials.provider", p, "sasl.irsa.clock", clock), "AWS_MSK_IAM",
                    List.of());
            clock.set(expiry.minusSeconds(6));
            AWSCredentialsCallback outside = new AWSCredentialsCallback();
            handler.handle(new Callback[] {outside});
            assertThat(outside.isSuccessful()).as("6 s before expiry, outside the 5-s margin").isTrue();
            clock.set(expiry.minusMillis(3100));
            AWSCredentialsCallback inside = new AWSCredentialsCallback();
            handler.handle(new Callback[] {inside});
            assertThat(inside.isSuccessful()).as("3.1 s before the expiry of 900-s credentials: inside the 5-s margin")
                    .isFalse();
            assertThat(inside.getLoadingException().getMessage()).contains("within the 5000 ms kept clear of expiry");
            handler.close();
        }
    }

    /**
     * OAUTHBEARER tokens keep the same margin: with 400-s credentials (a 5-s margin) and STS failing, the provider
     * still serves the cached credentials 3 s before their expiry, and the login handler refuses to make a 3-s token
     * from them (Kafka's login refresh thread tries again) instead of signing one.
     */
    @Test
    void oauthBearerKeepsTheMarginDuringAnStsOutage() throws Exception {
        ManualClock clock = new ManualClock(java.time.Instant.parse("2026-01-05T10:00:00Z"));
        try (IrsaEnvironment env = IrsaEnvironment.builder().clock(clock).credentialLifetime(Duration.ofSeconds(400)).start();
             IrsaCredentialsProvider p = IrsaCredentialsProvider.builder()
                     .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("oauth-margin")
                     .clock(clock).refreshPolicy(dev.irsa.core.RefreshPolicy.builder().jitter(0).backgroundRefresh(false)
                             .maxAttempts(1).waitTimeout(Duration.ofSeconds(30)).build())
                     .shared(false).build()) {
            IrsaMskOAuthBearerLoginCallbackHandler handler = new IrsaMskOAuthBearerLoginCallbackHandler();
            handler.configure(Map.of("sasl.irsa.credentials.provider", p, "sasl.irsa.clock", clock), "OAUTHBEARER",
                    OAUTH_JAAS_WITH_REGION);
            java.time.Instant expiry = ((AwsSessionCredentials) p.resolveCredentials()).expirationTime().orElseThrow();
            env.sts().faults().failAlways(Fault.SERVICE_UNAVAILABLE);
            clock.set(expiry.minusSeconds(10));
            OAuthBearerTokenCallback outside = new OAuthBearerTokenCallback();
            handler.handle(new Callback[] {outside});
            assertThat(outside.token()).as("10 s before expiry, outside the 5-s margin").isNotNull();
            clock.set(expiry.minusSeconds(3));
            assertThat(((AwsSessionCredentials) p.resolveCredentials()).expirationTime()).as("the provider still serves them")
                    .contains(expiry);
            assertThatThrownBy(() -> handler.handle(new Callback[] {new OAuthBearerTokenCallback()}))
                    .isInstanceOf(java.io.IOException.class).hasMessageContaining("within the 5000 ms kept clear of expiry")
                    .hasMessageContaining("ServiceUnavailable");
            handler.close();
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
