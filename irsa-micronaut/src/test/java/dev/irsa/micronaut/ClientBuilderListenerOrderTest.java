package dev.irsa.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import io.micronaut.context.ApplicationContext;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An application's own {@code BeanCreatedEventListener} on micronaut-aws's client builders that sets a credentials
 * provider is the application's explicit choice, and wins over the integration's listener whatever its order; one
 * that sets none leaves the IRSA provider in place. The S3 client is built by micronaut-aws and calls a local fake
 * S3 that records the signing access key.
 */
class ClientBuilderListenerOrderTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private FakeS3 s3;

    @BeforeEach
    void startS3() throws IOException {
        s3 = new FakeS3();
    }

    @AfterEach
    void stopS3() {
        s3.close();
    }

    private String signingKeyWith(IrsaEnvironment env, String listener) {
        Map<String, Object> p = new HashMap<>(env.podEnvironment());
        p.put("aws.region", env.region());
        p.put("aws.services.s3.endpoint-override", s3.endpoint().toString());
        if (listener != null) {
            p.put("test.builder-listener", listener);
        }
        try (ApplicationContext ctx = ApplicationContext.run(p)) {
            ctx.getBean(S3Client.class).listBuckets();
        }
        List<String> keys = s3.signingKeys();
        return keys.get(keys.size() - 1);
    }

    @Test
    void anUnorderedApplicationListenerChoosesTheCredentials(IrsaEnvironment env) {
        assertThat(signingKeyWith(env, "default")).isEqualTo(UserCredentialsFactory.USER_KEY);
    }

    @Test
    void anApplicationListenerOrderedFirstStillChoosesTheCredentials(IrsaEnvironment env) {
        assertThat(signingKeyWith(env, "early")).isEqualTo(UserCredentialsFactory.USER_KEY);
    }

    @Test
    void anApplicationListenerOrderedLastChoosesTheCredentials(IrsaEnvironment env) {
        assertThat(signingKeyWith(env, "late")).isEqualTo(UserCredentialsFactory.USER_KEY);
    }

    @Test
    void withoutOneTheClientSignsWithTheSession(IrsaEnvironment env) {
        assertThat(signingKeyWith(env, null)).startsWith("ASIA");
    }
}
