package dev.irsa.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What each application that must not point Quarkiverse's S3 client at the {@code irsa} bean checks (the bean is
 * inactive, in one of the spellings SmallRye reads as false): the start succeeds and their own default stays.
 * Each subclass is one such application.
 */
abstract class QuarkiverseDefaultChainLeftAlone {
    @Inject
    S3Client s3;

    @Test
    void theirDefaultChainIsLeftAlone() {
        assertThat(s3).isNotNull();
        assertThat(ConfigProvider.getConfig().getValue("quarkus.s3.aws.credentials.type", String.class))
                .isEqualTo("default");
    }
}
