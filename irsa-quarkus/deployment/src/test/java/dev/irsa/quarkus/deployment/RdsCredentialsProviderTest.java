package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.testkit.rds.RdsAuthTokenVerifier;
import io.quarkus.arc.Unremovable;
import io.quarkus.credentials.CredentialsProvider;
import io.quarkus.credentials.runtime.CredentialsProviderFinder;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code irsa-rds} Quarkus Credentials Provider (what {@code credentials-provider-name=irsa-rds} selects): the
 * configured user, and as password an RDS IAM token signed with the session's credentials, which the test kit's
 * {@code RdsIamDatabase} accepts as a database would; one database per credentials-provider name; and never the application's
 * default credentials provider (here a Vault-like one).
 */
class RdsCredentialsProviderTest {
    static final String REPORTING_HOST = "reporting.cluster-abc123xyz.us-west-2.rds.amazonaws.com";

    @RegisterExtension
    static final QuarkusUnitTest app = Fixture.configure(new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Fixture.class, SharedState.class, Vault.class)))
            .overrideConfigKey("quarkus.irsa.rds.host", Fixture.RDS_HOST)
            .overrideConfigKey("quarkus.irsa.rds.user", "app_user")
            .overrideConfigKey("quarkus.irsa.rds.reporting.host", REPORTING_HOST)
            .overrideConfigKey("quarkus.irsa.rds.reporting.user", "report_reader");

    /** The application's other credentials provider, as Vault's extension makes one. */
    @Singleton
    @Named("vault")
    @Unremovable // found by CredentialsProviderFinder's lookup, not injected
    static class Vault implements CredentialsProvider {
        @Override
        public Map<String, String> getCredentials(String credentialsProviderName) {
            return Map.of(USER_PROPERTY_NAME, "from-vault");
        }
    }

    @Inject
    @Named("irsa-rds")
    CredentialsProvider rds;

    @Test
    void passwordIsAnIamTokenTheDatabaseAccepts() {
        Map<String, String> credentials = rds.getCredentials("irsa-rds");
        // the map is never printed: it holds the token
        assertThat(credentials.get(CredentialsProvider.USER_PROPERTY_NAME)).isEqualTo("app_user");
        String token = credentials.get(CredentialsProvider.PASSWORD_PROPERTY_NAME);
        // asserted as booleans: a failure message must not print the token
        assertThat(token.startsWith(Fixture.RDS_HOST + ":5432/?") && token.contains("Action=connect")).isTrue();
        assertAccepted(Fixture.rdsDatabase(Fixture.RDS_HOST).login("app_user", token));
        // the next connection reuses the cached token
        assertThat(rds.getCredentials("irsa-rds").get(CredentialsProvider.PASSWORD_PROPERTY_NAME).equals(token)).isTrue();
    }

    @Test
    void aSecondDataSourceGetsTokensForItsOwnDatabase() {
        Map<String, String> credentials = rds.getCredentials("reporting");
        assertThat(credentials.get(CredentialsProvider.USER_PROPERTY_NAME)).isEqualTo("report_reader");
        String token = credentials.get(CredentialsProvider.PASSWORD_PROPERTY_NAME);
        assertAccepted(Fixture.rdsDatabase(REPORTING_HOST).login("report_reader", token));
    }

    private static void assertAccepted(RdsAuthTokenVerifier.Verdict v) {
        assertThat(v.reason()).as(v.message()).isEqualTo(RdsAuthTokenVerifier.Reason.ACCEPTED);
        assertThat(v.assumedRoleArn()).startsWith("arn:aws:sts::111122223333:assumed-role/app-role/");
    }

    @Test
    void anUnknownNameFailsAndSaysWhatToSet() {
        assertThatThrownBy(() -> rds.getCredentials("orders-replica"))
                .hasMessageContaining("quarkus.irsa.rds.\"orders-replica\".host")
                .hasMessageContaining("reporting");
    }

    @Test
    void theApplicationsDefaultProviderStaysTheDefault() {
        // what a data source with credentials-provider but no credentials-provider-name looks up
        assertThat(CredentialsProviderFinder.find(null).getCredentials("db"))
                .containsEntry(CredentialsProvider.USER_PROPERTY_NAME, "from-vault");
        assertThat(CredentialsProviderFinder.find("irsa-rds")).isSameAs(rds);
    }
}
