package dev.irsa.examples.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.core.SettingsSource;
import dev.irsa.core.internal.SessionRegistry;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.StsException;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The library-author pattern against the test kit's STS emulator: the user's provider is used and stays the user's,
 * static keys pass through untouched, and the SDK closes what it is given (why the library hides the user's
 * provider from it). The pod's settings reach the user's provider through {@link SettingsSource}, not system
 * properties.
 */
class ArtifactStoreTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    /** A user's provider that counts its closes. */
    static final class Recording implements AwsCredentialsProvider, SdkAutoCloseable {
        final AwsCredentialsProvider delegate;
        final AtomicInteger closes = new AtomicInteger();

        Recording(AwsCredentialsProvider delegate) {
            this.delegate = delegate;
        }

        @Override
        public AwsCredentials resolveCredentials() {
            return delegate.resolveCredentials();
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    // tag::library-test[]
    @Test
    void signsWithTheUsersProviderAndLeavesItOpen(IrsaEnvironment env) {
        try (IrsaCredentialsProvider mine = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment()))   // no JVM-wide system properties
                .roleSessionName("library").build()) {
            try (ArtifactStore store = ArtifactStore.builder().credentialsProvider(mine)
                    .region(env.region()).endpointOverride(env.stsEndpoint()).build()) {
                assertThat(store.principal()).isEqualTo("arn:aws:sts::111122223333:assumed-role/app-role/library");
            }
            assertThat(mine.state().orElseThrow().healthy()).isTrue();   // still mine, still serving
        }
    }
    // end::library-test[]

    // tag::library-test-default[]
    @Test
    void theDefaultIsIrsaFromTheSettingsTheTestGives(IrsaEnvironment env) {
        Map<String, String> pod = new HashMap<>(env.podEnvironment());   // AWS_ROLE_ARN, the token file, STS...
        pod.put("AWS_ROLE_SESSION_NAME", "library-default");
        try (ArtifactStore store = ArtifactStore.builder()                // no provider: the store makes its default
                .settings(SettingsSource.ofEnvironment(pod))              // package-private, for tests: no System.setProperty
                .region(env.region()).endpointOverride(env.stsEndpoint()).build()) {
            assertThat(store.principal()).isEqualTo("arn:aws:sts::111122223333:assumed-role/app-role/library-default");
        }
        assertThat(env.sts().calls().count("AssumeRoleWithWebIdentity")).isEqualTo(1);
    }
    // end::library-test-default[]

    @Test
    void theDefaultReadsNoJvmWideSettingsWhenGivenASource(IrsaEnvironment env) {
        assertThat(System.getProperty("aws.roleArn")).as("this test relies on no JVM-wide IRSA setting").isNull();
        // The environment is the machine's, not the suite's: a CI runner that is itself an IRSA pod cannot try this.
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("AWS_ROLE_ARN") == null,
                "this machine has AWS_ROLE_ARN set: a test relying on no JVM-wide IRSA setting cannot be tried here");
        try (ArtifactStore store = ArtifactStore.builder().settings(SettingsSource.ofEnvironment(env.podEnvironment()))
                .region(env.region()).endpointOverride(env.stsEndpoint()).build()) {
            assertThat(store.principal()).startsWith("arn:aws:sts::111122223333:assumed-role/app-role/");
        }
    }

    @Test
    void aStoreThatFailsToBuildClosesTheDefaultProviderItCreated(IrsaEnvironment env) {
        Map<String, String> pod = new HashMap<>(env.podEnvironment());
        pod.put("AWS_ROLE_SESSION_NAME", "failed-build");
        long open = SessionRegistry.global().size();
        // The SDK refuses the client (as it does off EKS without a region) after the store made its default provider.
        assertThatThrownBy(() -> ArtifactStore.builder().settings(SettingsSource.ofEnvironment(pod)).region(env.region())
                .endpointOverride(URI.create("no-scheme")).build()).hasMessageContaining("endpointOverride");
        assertThat(SessionRegistry.global().size()).as("the default provider's session, released: no store holds it")
                .isEqualTo(open);
    }

    @Test
    void closingTheStoreNeverClosesTheUsersProvider(IrsaEnvironment env) {
        try (IrsaCredentialsProvider irsaProvider = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).build()) {
            Recording mine = new Recording(irsaProvider);
            try (ArtifactStore store = ArtifactStore.builder().credentialsProvider(mine)
                    .region(env.region()).endpointOverride(env.stsEndpoint()).build()) {
                assertThat(store.principal()).contains(":assumed-role/app-role/");
            }
            assertThat(mine.closes).hasValue(0);
        }
    }

    @Test
    void theSdkClientClosesTheProviderItIsGiven(IrsaEnvironment env) {
        Recording given = new Recording(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "x")));
        StsClient.builder().credentialsProvider(given).region(Region.of(env.region()))
                .endpointOverride(env.stsEndpoint()).build().close();
        // At least once: SDK 2.57.8 closes it twice (as the credentials provider and as the identity provider), so
        // whatever a library hands the SDK must survive repeated close() calls.
        assertThat(given.closes.get()).as("the SDK closes the provider a client is built with").isPositive();
    }

    @Test
    void staticKeysAreHandedToTheSdkAsTheyAreNeverCastToSessionCredentials(IrsaEnvironment env) {
        StaticCredentialsProvider keys = StaticCredentialsProvider.create(
                AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
        try (ArtifactStore store = ArtifactStore.builder().credentialsProvider(keys)
                .region(env.region()).endpointOverride(env.stsEndpoint()).build()) {
            // The emulator knows no such key, as AWS would not: the call reaches STS signed with it, no ClassCastException.
            assertThatThrownBy(store::principal).isInstanceOf(StsException.class);
        }
        assertThat(env.sts().calls().count("GetCallerIdentity", "Success")).isZero();
    }
}
