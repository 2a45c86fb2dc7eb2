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
// tag::micronaut-test[]
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApplicationTest implements TestPropertyProvider {
    private static final IrsaEnvironment env;

    static {
        TestIsolation.reset();           // irsa-core: forget sessions earlier test classes in this JVM left behind
        env = IrsaEnvironment.start();   // STS, the OIDC issuer, the pod's token file: before the context starts
    }

    @Inject
    @Client("/")
    HttpClient http;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> p = new HashMap<>(env.podEnvironment()); // AWS_ROLE_ARN, the token file, the STS endpoint...
        p.put("aws.region", env.region());
        p.put("app.sts-endpoint", env.stsEndpoint().toString());      // the example's own STS client (GET /whoami)
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
    // end::micronaut-test[]

    @Test
    void readinessIncludesIrsaAndLivenessDoesNot() {
        http.toBlocking().retrieve("/whoami");
        String readiness = http.toBlocking().retrieve("/health/readiness");
        assertThat(readiness).contains("\"irsa\"").contains("\"status\":\"UP\"").contains(env.roleArn());
        String liveness = http.toBlocking().retrieve("/health/liveness");
        assertThat(liveness).contains("deadlockedThreads").doesNotContain("\"irsa\"").doesNotContain(env.roleArn());
    }
}
