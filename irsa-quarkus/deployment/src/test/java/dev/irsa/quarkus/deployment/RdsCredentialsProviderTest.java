package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.credentials.CredentialsProvider;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code irsa-rds} Quarkus Credentials Provider (what {@code quarkus.datasource.credentials-provider=irsa-rds}
 * selects): the configured user, and as password an RDS IAM token signed with the session's credentials, which the
 * test kit's RDS token verifier accepts as a database would.
 */
class RdsCredentialsProviderTest {
    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class)))
            .overrideConfigKey("quarkus.irsa.rds.host", Fixture.RDS_HOST)
            .overrideConfigKey("quarkus.irsa.rds.user", "app_user");

    @Inject
    @Named("irsa-rds")
    CredentialsProvider rds;

    @Test
    void passwordIsAnIamTokenTheDatabaseAccepts() {
        Map<String, String> credentials = rds.getCredentials("irsa-rds");
        assertThat(credentials).containsEntry(CredentialsProvider.USER_PROPERTY_NAME, "app_user");
        String token = credentials.get(CredentialsProvider.PASSWORD_PROPERTY_NAME);
        // asserted as booleans: a failure message must not print the token
        assertThat(token.startsWith(Fixture.RDS_HOST + ":5432/?") && token.contains("Action=connect")).isTrue();
        assertThat(Fixture.rdsVerdict(token)).startsWith("ACCEPTED arn:aws:sts::111122223333:assumed-role/app-role/");
        // the next connection reuses the cached token
        assertThat(rds.getCredentials("irsa-rds")).containsEntry(CredentialsProvider.PASSWORD_PROPERTY_NAME, token);
    }
}
