package io.awspring.cloud.autoconfigure.core;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Test stand-in with the name and the one behaviour of Spring Cloud AWS's credentials auto-configuration that
 * matters here: it backs off when an {@link AwsCredentialsProvider} bean exists.
 */
@AutoConfiguration
public class CredentialsProviderAutoConfiguration {
    @Bean
    @ConditionalOnMissingBean
    public AwsCredentialsProvider credentialsProvider() {
        return StaticCredentialsProvider.create(AwsSessionCredentials.create("AKIDSPRINGCLOUDAWS", "s", "t"));
    }
}
