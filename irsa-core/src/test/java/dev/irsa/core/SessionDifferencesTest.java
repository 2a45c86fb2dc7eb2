package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.internal.SessionKey;
import dev.irsa.testkit.ManualClock;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * {@code sessionDifferences} and the registry's {@link SessionKey} are one decision (issue 20 review #8): two
 * configurations are said to share one session exactly when their keys are equal, so a difference the key makes (the
 * clock, the application's STS client) is never reported as "one session".
 */
class SessionDifferencesTest {
    private static final Map<String, String> POD = Map.of("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/app",
            "AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
            "AWS_REGION", "eu-west-1", "AWS_ROLE_SESSION_NAME", "fixed");
    private static final Map<String, String> AGENT = Map.of(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token");

    private static IrsaConfig.Builder irsa() {
        return IrsaConfig.builder().settings(SettingsSource.ofEnvironment(POD));
    }

    private static PodIdentityConfig.Builder pod() {
        return PodIdentityConfig.builder().settings(SettingsSource.ofEnvironment(AGENT));
    }

    @Test
    void irsaConfigsThatDifferOnlyInTheirClockAreNotSaidToShareOneSession() {
        IrsaConfig system = irsa().clock(Clock.systemUTC()).build();
        IrsaConfig manual = irsa().clock(ManualClock.now()).build();
        assertThat(SessionKey.of(system)).as("keyed apart").isNotEqualTo(SessionKey.of(manual));
        assertThat(system.sessionDifferences(manual, "application", "client")).singleElement().asString()
                .startsWith("clock (IrsaConfig.Builder.clock) (application: 'SystemClock[Z]', client: ");
    }

    @Test
    void irsaConfigsThatDifferOnlyInTheirStsClientAreNotSaidToShareOneSession() {
        try (StsClient mine = client(); StsClient theirs = client()) {
            IrsaConfig none = irsa().build();
            IrsaConfig a = irsa().stsClient(mine).build();
            IrsaConfig b = irsa().stsClient(theirs).build();
            assertThat(none.sessionDifferences(a, "application", "client")).containsExactly(
                    "the application's own STS client (IrsaConfig.Builder.stsClient) (application: unset, client: set)");
            assertThat(a.sessionDifferences(b, "application", "client")).containsExactly("the application's own STS"
                    + " client (IrsaConfig.Builder.stsClient) (application: set, client: set, a different one)");
            assertThat(a.sessionDifferences(irsa().stsClient(mine).build(), "a", "b")).isEmpty();
        }
    }

    @Test
    void podIdentityConfigsThatDifferOnlyInTheirClockAreNotSaidToShareOneSession() {
        PodIdentityConfig system = pod().clock(Clock.systemUTC()).build();
        PodIdentityConfig manual = pod().clock(ManualClock.now()).build();
        assertThat(SessionKey.of(system)).isNotEqualTo(SessionKey.of(manual));
        assertThat(system.sessionDifferences(manual, "application", "client")).singleElement().asString()
                .startsWith("clock (PodIdentityConfig.Builder.clock) (application: 'SystemClock[Z]', client: ");
    }

    @Test
    void differencesAreEmptyExactlyWhenTheKeysAreEqual() {
        Clock clock = Clock.systemUTC();
        List<IrsaConfig> irsa = List.of(irsa().clock(clock).build(), irsa().clock(clock).eagerStart(true).build(),
                irsa().clock(clock).roleSessionName("other").build(),
                irsa().clock(clock).sessionDuration(Duration.ofMinutes(30)).build(),
                irsa().clock(clock).sessionPolicy("{\"Version\":\"2012-10-17\"}").build(),
                irsa().clock(clock).tokenFile(Path.of("/elsewhere/token")).build(),
                irsa().clock(clock).stsEndpoint(URI.create("http://127.0.0.1:1")).build(),
                irsa().clock(clock).attemptTimeout(Duration.ofSeconds(3)).build(),
                irsa().clock(clock).refreshPolicy(RefreshPolicy.builder().maxAttempts(1).build()).build(),
                irsa().clock(ManualClock.now()).build());
        for (IrsaConfig a : irsa) {
            for (IrsaConfig b : irsa) {
                assertThat(a.sessionDifferences(b, "a", "b").isEmpty()).as("%s vs %s", a, b)
                        .isEqualTo(SessionKey.of(a).equals(SessionKey.of(b)));
            }
        }
        List<PodIdentityConfig> pods = List.of(pod().clock(clock).build(), pod().clock(clock).eagerStart(true).build(),
                pod().clock(clock).authorizationToken("t1").build(), pod().clock(clock).authorizationToken("t2").build(),
                pod().clock(clock).endpoint(URI.create("http://127.0.0.1:2/v1/credentials")).build(),
                pod().clock(clock).attemptTimeout(Duration.ofSeconds(3)).build(), pod().clock(ManualClock.now()).build());
        for (PodIdentityConfig a : pods) {
            for (PodIdentityConfig b : pods) {
                assertThat(a.sessionDifferences(b, "a", "b").isEmpty()).as("%s vs %s", a, b)
                        .isEqualTo(SessionKey.of(a).equals(SessionKey.of(b)));
            }
        }
    }

    /** The guard behind "one decision": a component added to a key without a setting fails here. */
    @Test
    void everyKeyNamesEachOfItsComponentsInOrder() {
        Clock clock = Clock.systemUTC();
        SessionKey web = SessionKey.of(irsa().clock(clock).build());
        SessionKey agent = SessionKey.of(pod().clock(clock).build());
        SessionKey chained = SessionKey.chained(web, ChainedRoleConfig.builder("arn:aws:iam::444455556666:role/t")
                .build(), irsa().clock(clock).build());
        for (SessionKey key : List.of(web, agent, chained)) {
            assertThat(key.settings().stream().map(SessionKey.Setting::component).toList()).as(key.getClass().getName())
                    .isEqualTo(Arrays.stream(key.getClass().getRecordComponents()).map(RecordComponent::getName).toList());
        }
        assertThat(List.<Class<?>>of(web.getClass(), agent.getClass(), chained.getClass()))
                .containsExactlyInAnyOrder(SessionKey.class.getPermittedSubclasses());
    }

    private static StsClient client() {
        return StsClient.builder().region(Region.EU_WEST_1).endpointOverride(URI.create("http://127.0.0.1:1"))
                .credentialsProvider(AnonymousCredentialsProvider.create()).build();
    }
}
