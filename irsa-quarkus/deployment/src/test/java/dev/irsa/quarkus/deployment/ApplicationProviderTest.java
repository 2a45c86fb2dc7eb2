package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * An application that produces its own {@link AwsCredentialsProvider}: it deploys (the extension's is a default
 * bean), its own is the unqualified one, and {@code @Named("irsa")} still finds the extension's.
 */
class ApplicationProviderTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class, Own.class)));

    /** The application's own provider. */
    static class Own {
        @Produces
        @Singleton
        AwsCredentialsProvider own() {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDAPPLICATIONOWN", "not-a-secret"));
        }
    }

    @Inject
    AwsCredentialsProvider byDefault;

    @Inject
    @Named("irsa")
    AwsCredentialsProvider irsa;

    @Test
    void theApplicationsProviderWinsAndIrsaStaysByName() {
        assertThat(byDefault.resolveCredentials().accessKeyId()).isEqualTo("AKIDAPPLICATIONOWN");
        assertThat(irsa).isInstanceOf(IrsaCredentialsProvider.class);
        assertThat(Fixture.assumedRoleOf(irsa.resolveCredentials().accessKeyId()))
                .startsWith("arn:aws:sts::111122223333:assumed-role/app-role/");
    }
}
