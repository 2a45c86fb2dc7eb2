package dev.irsa.micronaut.internal;

import io.micronaut.context.BeanContext;
import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import io.micronaut.core.type.Argument;
import io.micronaut.inject.BeanDefinition;
import io.micronaut.inject.BeanDefinitionReference;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Matches unless the application defines an {@link AwsCredentialsProvider} bean of its own, {@code @Primary} or not:
 * then the integration backs off entirely (no IRSA provider, no chain replacement, no health indicator, no meters) and
 * says so once at INFO, as the Spring Boot starter does with {@code @ConditionalOnMissingBean}. Neither this
 * integration's beans nor micronaut-aws's default chain ({@code CredentialsAndRegionFactory}) count as the
 * application's. Reads bean definitions only: nothing is created, and this integration's own conditions are never
 * evaluated from here (no recursion).
 */
public final class UserCredentialsProviderAbsentCondition implements Condition {
    private static final Logger log = LoggerFactory.getLogger(UserCredentialsProviderAbsentCondition.class);
    private static final String MICRONAUT_AWS_FACTORY = "io.micronaut.aws.sdk.v2.CredentialsAndRegionFactory";
    /** The factories of this integration's own providers (the IRSA provider, the chain given to micronaut-aws). */
    private static final Set<String> OURS = Set.of("dev.irsa.micronaut.IrsaFactory",
            "dev.irsa.micronaut.internal.MicronautAwsCredentials");
    /** Contexts already told, so the INFO line is written once per context, not once per bean that backs off. */
    private static final Set<BeanContext> told = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    /** Creates the condition; Micronaut instantiates it. */
    public UserCredentialsProviderAbsentCondition() {
    }

    @Override
    public boolean matches(ConditionContext context) {
        BeanContext beans = context.getBeanContext();
        Optional<String> own = applicationProvider(beans);
        if (own.isEmpty()) {
            return true;
        }
        String message = "The application defines its own AwsCredentialsProvider bean (" + own.get() + "): IRSA backs"
                + " off and creates no credentials provider. Remove that bean to use IRSA, or set irsa.enabled=false to"
                + " say this is intended.";
        if (told.add(beans)) {
            log.info(message);
        }
        context.fail(message);
        return false;
    }

    /** The first enabled {@code AwsCredentialsProvider} bean the application defines, described. */
    static Optional<String> applicationProvider(BeanContext beans) {
        Argument<AwsCredentialsProvider> type = Argument.of(AwsCredentialsProvider.class);
        for (BeanDefinitionReference<?> reference : beans.getBeanDefinitionReferences()) {
            if (!reference.isPresent() || !AwsCredentialsProvider.class.isAssignableFrom(reference.getBeanType())) {
                continue;
            }
            BeanDefinition<?> definition = reference.load(beans);
            String declaring = definition.getDeclaringType().map(Class::getName).orElse("");
            if (declaring.equals(MICRONAUT_AWS_FACTORY) || OURS.contains(declaring) || definition.isAbstract()
                    || !definition.isCandidateBean(type) || !definition.isEnabled(beans)) {
                continue;
            }
            return Optional.of(definition.getBeanType().getName()
                    + (declaring.isEmpty() ? "" : " from " + declaring));
        }
        return Optional.empty();
    }
}
