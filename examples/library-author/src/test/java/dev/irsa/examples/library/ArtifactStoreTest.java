package dev.irsa.examples.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.core.SettingsSource;
import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ArtifactStoreTest {
    @RegisterExtension
    static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

    @Test
    void theLibrarysOwnApiRunsOnIrsa(IrsaEnvironment env) {
        IrsaCredentialsProvider provider = IrsaCredentialsProvider.builder()
                .settings(SettingsSource.ofEnvironment(env.podEnvironment())).roleSessionName("library").build();
        try (ArtifactStore store = new StsArtifactStore(new IrsaCredentialSource(provider), env.region(), env.stsEndpoint())) {
            assertThat(store.principal()).isEqualTo("arn:aws:sts::111122223333:assumed-role/app-role/library");
        }
    }
}
