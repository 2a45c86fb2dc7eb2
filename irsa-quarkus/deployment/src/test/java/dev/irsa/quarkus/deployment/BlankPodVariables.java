package dev.irsa.quarkus.deployment;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Hides the pod's IRSA and Pod Identity variables (and their system properties) from the application: an empty value
 * above environment variables (300) and system properties (400). {@code QuarkusUnitTest.overrideConfigKey} cannot do
 * it: it writes the test's application.properties (250), which the environment overrides.
 */
public class BlankPodVariables implements ConfigSource {
    private static final Map<String, String> BLANK = List.of("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
                    "AWS_ROLE_SESSION_NAME", "aws.roleArn", "aws.webIdentityTokenFile", "aws.roleSessionName",
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                    "aws.containerCredentialsFullUri", "aws.containerCredentialsPath",
                    "aws.containerAuthorizationToken", "aws.containerAuthorizationTokenFile").stream()
            .collect(Collectors.toUnmodifiableMap(Function.identity(), k -> ""));

    /** Created by the configuration's service loader. */
    public BlankPodVariables() {
    }

    @Override
    public Set<String> getPropertyNames() {
        return BLANK.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return BLANK.get(propertyName);
    }

    @Override
    public String getName() {
        return "irsa-test-blank-pod-variables";
    }

    @Override
    public int getOrdinal() {
        return 500;
    }
}
