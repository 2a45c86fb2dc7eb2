package dev.irsa.micronaut.internal;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.PodIdentityConfig;
import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import io.micronaut.core.value.PropertyResolver;

/**
 * Matches when IRSA or EKS Pod Identity is configured: {@code irsa.role-arn} and {@code irsa.token-file}, or the pod's
 * IRSA variables ({@code AWS_ROLE_ARN}, {@code AWS_WEB_IDENTITY_TOKEN_FILE}), or Pod Identity's
 * ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI} with a token). The same rule as the Spring Boot starter's.
 */
public final class IrsaConfiguredCondition implements Condition {
    /** Creates the condition; Micronaut instantiates it. */
    public IrsaConfiguredCondition() {
    }

    @Override
    public boolean matches(ConditionContext context) {
        if (!(context.getBeanContext() instanceof PropertyResolver properties)) {
            context.fail("IRSA needs an application context with an environment");
            return false;
        }
        if (properties.containsProperty("irsa.role-arn") && properties.containsProperty("irsa.token-file")) {
            return true;
        }
        MicronautSettings settings = new MicronautSettings(properties);
        if (IrsaConfig.isConfigured(settings) || PodIdentityConfig.isConfigured(settings)) {
            return true;
        }
        context.fail("Neither IRSA nor EKS Pod Identity is configured (no AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE,"
                + " no irsa.role-arn/irsa.token-file, no AWS_CONTAINER_CREDENTIALS_FULL_URI with a token)");
        return false;
    }
}
