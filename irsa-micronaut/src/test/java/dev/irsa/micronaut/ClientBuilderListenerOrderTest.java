package dev.irsa.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import dev.irsa.testkit.s3.S3Emulator;
import dev.irsa.testkit.s3.S3Request;
import io.micronaut.context.ApplicationContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * An application's own {@code BeanCreatedEventListener} on micronaut-aws's client builders that sets a credentials
 * provider is the application's explicit choice, and wins over the integration's listener whatever its order; one
 * that sets none leaves the IRSA provider in place. The S3 client is built by micronaut-aws and calls the test kit's
 * S3 emulator, which records the signing access key and accepts only the session's (the application's own key is
 * refused as S3 refuses a key it does not know).
 */
class ClientBuilderListenerOrderTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    private S3Emulator s3;

    @BeforeEach
    void startS3(IrsaEnvironment env) {
        s3 = S3Emulator.start(env);
    }

    @AfterEach
    void stopS3() {
        s3.close();
    }

    /** The last request the client Micronaut built sent: its signing key and whether the emulator accepted it. */
    private S3Request requestWith(IrsaEnvironment env, String listener) {
        Map<String, Object> p = new HashMap<>(env.podEnvironment());
        p.put("aws.region", env.region());
        p.put("aws.services.s3.endpoint-override", s3.endpoint().toString());
        if (listener != null) {
            p.put("test.builder-listener", listener);
        }
        try (ApplicationContext ctx = ApplicationContext.run(p)) {
            ctx.getBean(S3Client.class).listBuckets();
        } catch (S3Exception refused) {
            // the application's own key is not one the emulator issued: refused, and recorded with the key
        }
        List<S3Request> requests = s3.requests();
        return requests.get(requests.size() - 1);
    }

    @Test
    void anUnorderedApplicationListenerChoosesTheCredentials(IrsaEnvironment env) {
        S3Request r = requestWith(env, "default");
        assertThat(r.accessKeyId()).isEqualTo(UserCredentialsFactory.USER_KEY);
        assertThat(r.errorCode()).isEqualTo("InvalidAccessKeyId");
    }

    @Test
    void anApplicationListenerOrderedFirstStillChoosesTheCredentials(IrsaEnvironment env) {
        S3Request r = requestWith(env, "early");
        assertThat(r.accessKeyId()).isEqualTo(UserCredentialsFactory.USER_KEY);
        assertThat(r.errorCode()).isEqualTo("InvalidAccessKeyId");
    }

    @Test
    void anApplicationListenerOrderedLastChoosesTheCredentials(IrsaEnvironment env) {
        S3Request r = requestWith(env, "late");
        assertThat(r.accessKeyId()).isEqualTo(UserCredentialsFactory.USER_KEY);
        assertThat(r.errorCode()).isEqualTo("InvalidAccessKeyId");
    }

    @Test
    void withoutOneTheClientSignsWithTheSession(IrsaEnvironment env) {
        S3Request r = requestWith(env, null);
        assertThat(r.accessKeyId()).startsWith("ASIA");
        assertThat(env.sts().assumedRoleArnOf(r.accessKeyId())).isPresent();
        assertThat(r.accepted()).as("the emulator verified the session's signature").isTrue();
    }
}
