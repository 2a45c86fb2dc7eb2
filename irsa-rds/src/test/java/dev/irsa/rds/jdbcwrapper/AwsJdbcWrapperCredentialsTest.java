package dev.irsa.rds.jdbcwrapper;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.jdbc.authentication.AwsCredentialsManager;

/** The wrapper's JVM-wide handler: unregister removes ours only, never a handler someone else set since. */
class AwsJdbcWrapperCredentialsTest {
    @AfterEach
    void reset() {
        AwsCredentialsManager.resetCustomHandler();
    }

    @Test
    void unregisterClearsOurHandlerOnly() {
        AwsCredentialsProvider ours = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDOURS", "s"));
        AwsCredentialsProvider theirs = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTHEIRS", "s"));

        AwsJdbcWrapperCredentials.register(ours);
        assertThat(AwsCredentialsManager.getProvider(null, new Properties())).isSameAs(ours);
        AwsCredentialsManager.setCustomHandler((hostSpec, props) -> theirs); // another library, later
        assertThat(AwsJdbcWrapperCredentials.unregister()).isFalse();
        assertThat(AwsCredentialsManager.getProvider(null, new Properties())).as("theirs left in place").isSameAs(theirs);

        AwsJdbcWrapperCredentials.register(ours);
        assertThat(AwsJdbcWrapperCredentials.unregister()).isTrue();
        assertThat(AwsCredentialsManager.getProvider(null, new Properties())).isNotSameAs(ours);
        assertThat(AwsJdbcWrapperCredentials.unregister()).as("nothing of ours left").isFalse();
    }
}
