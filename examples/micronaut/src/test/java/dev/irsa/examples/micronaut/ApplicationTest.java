package dev.irsa.examples.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.TestIsolation;
import dev.irsa.testkit.IrsaEnvironment;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The service against the test kit's IRSA emulator: the pod's variables as Micronaut properties, nothing of AWS.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApplicationTest implements TestPropertyProvider {
    private static final IrsaEnvironment env;

    static {
        TestIsolation.reset();
        env = IrsaEnvironment.start();
    }

    @Inject
    @Client("/")
    HttpClient http;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> p = new HashMap<>(env.podEnvironment());
        p.put("aws.region", env.region());
        p.put("app.sts-endpoint", env.stsEndpoint().toString());
        return p;
    }

    @AfterAll
    void stopEmulator() {
        env.close();
    }

    @Test
    void whoamiAnswersWithTheRoleSession() {
        String arn = http.toBlocking().retrieve("/whoami");
        assertThat(arn).startsWith("arn:aws:sts::" + env.accountId() + ":assumed-role/app-role/");
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
    }

    @Test
    void readinessIncludesIrsaAndLivenessDoesNot() {
        http.toBlocking().retrieve("/whoami");
        String readiness = http.toBlocking().retrieve("/health/readiness");
        assertThat(readiness).contains("\"irsa\"").contains("\"status\":\"UP\"").contains(env.roleArn());
        String liveness = http.toBlocking().retrieve("/health/liveness");
        assertThat(liveness).contains("deadlockedThreads").doesNotContain("\"irsa\"").doesNotContain(env.roleArn());
    }
}
