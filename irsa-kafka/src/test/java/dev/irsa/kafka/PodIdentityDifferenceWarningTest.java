package dev.irsa.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.SettingsSource;
import dev.irsa.core.TestIsolation;
import dev.irsa.kafka.internal.KafkaCredentials;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.PodIdentityEnvironment;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 20 review #7: a Kafka client built outside Spring that resolves EKS Pod Identity from the pod's environment
 * with settings that make another session than the application's (here its attempt timeout) is not taken for the
 * application's session: one WARN names the difference, as for IRSA.
 */
class PodIdentityDifferenceWarningTest {
    private static final String WARNING = "resolved its IRSA configuration from the pod's environment alone";

    @Test
    void aPodIdentityKafkaClientWhoseSettingsDifferFromTheApplicationsLogsOneWarningNamingThem() throws Exception {
        TestIsolation.reset();
        try (PodIdentityEnvironment env = PodIdentityEnvironment.start();
             IrsaCredentialsProvider app = IrsaCredentialsProvider.builder()
                     .settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                     .attemptTimeout(Duration.ofSeconds(30)).build();
             AutoCloseable registered = KafkaCredentials.registerApplicationProvider(app);
             AutoCloseable pod = podSystemProperties(env);
             LogCapture logs = new LogCapture()) {
            IrsaMskIamCallbackHandler handler = new IrsaMskIamCallbackHandler();
            handler.configure(Map.of(), "AWS_MSK_IAM", List.of());
            handler.close();
            List<String> warnings = logs.lines().stream().filter(l -> l.contains(WARNING)).toList();
            assertThat(warnings).singleElement().asString().startsWith("WARN")
                    .contains("irsa.attempt-timeout (application: 'PT30S', this Kafka client: 'PT10S')");
        } finally {
            TestIsolation.reset();
        }
    }

    /** The pod's Pod Identity settings as the SDK's system properties; restored on close. */
    private static AutoCloseable podSystemProperties(PodIdentityEnvironment env) {
        Map<String, String> pod = Map.of("aws.containerCredentialsFullUri", env.agentEndpoint().toString(),
                "aws.containerAuthorizationTokenFile", env.tokenFile().toString());
        Map<String, String> saved = new HashMap<>();
        pod.forEach((k, v) -> saved.put(k, System.setProperty(k, v)));
        return () -> saved.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
    }
}
