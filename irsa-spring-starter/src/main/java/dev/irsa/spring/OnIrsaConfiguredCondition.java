package dev.irsa.spring;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.PodIdentityConfig;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when IRSA or EKS Pod Identity is configured (see {@link dev.irsa.core.CredentialSource}): {@code irsa.role-arn} and {@code irsa.token-file}, or the pod's IRSA variables. */
final class OnIrsaConfiguredCondition extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        var env = context.getEnvironment();
        boolean properties = env.containsProperty("irsa.role-arn") && env.containsProperty("irsa.token-file");
        if (properties) {
            return ConditionOutcome.match("irsa.role-arn and irsa.token-file are set");
        }
        if (IrsaConfig.isConfigured(new EnvironmentSettings(env))) {
            return ConditionOutcome.match("AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are set");
        }
        if (PodIdentityConfig.isConfigured(new EnvironmentSettings(env))) {
            return ConditionOutcome.match("AWS_CONTAINER_CREDENTIALS_FULL_URI and a Pod Identity token are set");
        }
        return ConditionOutcome.noMatch("Neither IRSA nor EKS Pod Identity is configured (no AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE,"
                + " no irsa.role-arn/irsa.token-file, no AWS_CONTAINER_CREDENTIALS_FULL_URI with a token)");
    }
}
