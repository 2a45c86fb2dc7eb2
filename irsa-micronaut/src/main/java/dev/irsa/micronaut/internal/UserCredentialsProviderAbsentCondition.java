package dev.irsa.micronaut.internal;

import io.micronaut.context.BeanContext;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.AnnotationValue;
import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import io.micronaut.core.type.Argument;
import io.micronaut.inject.BeanDefinition;
import io.micronaut.inject.BeanDefinitionReference;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
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
 * application's. Reads bean definitions only: nothing is created.
 *
 * <p>An application bean whose own condition depends on this integration's beans does not count: a fallback with
 * {@code @Requires(missingBeans = IrsaCredentialsProvider.class)} (or {@code = AwsCredentialsProvider.class}) steps
 * aside for IRSA, and a bean with {@code @Requires(beans = IrsaCredentialsProvider.class)} is created beside it. The
 * application said how its bean relates to IRSA's, so IRSA is created and that bean's condition then decides.
 * Evaluating such a bean's condition from here would evaluate this condition again, forever.
 */
public final class UserCredentialsProviderAbsentCondition implements Condition {
    private static final Logger log = LoggerFactory.getLogger(UserCredentialsProviderAbsentCondition.class);
    private static final String MICRONAUT_AWS_FACTORY = "io.micronaut.aws.sdk.v2.CredentialsAndRegionFactory";
    /** The factories of this integration's own providers (the IRSA provider, the chain given to micronaut-aws). */
    private static final Set<String> OURS = Set.of("dev.irsa.micronaut.IrsaFactory",
            "dev.irsa.micronaut.internal.MicronautAwsCredentials");
    /** Contexts already told, so the INFO line is written once per context, not once per bean that backs off. */
    private static final Set<BeanContext> told = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    /**
     * The application beans whose enablement is being decided on this thread, each with whether deciding it made
     * Micronaut evaluate this condition again (then the bean depends on IRSA's beans and does not count). Keyed by
     * the generated definition class: each {@code load} gives a new definition object for the same bean.
     */
    private static final ThreadLocal<Map<Class<?>, boolean[]>> deciding = ThreadLocal.withInitial(HashMap::new);

    /** Application beans found to depend on IRSA's beans, per context (see {@link #enabledIndependently}). */
    private static final Map<BeanContext, Set<Class<?>>> DEPENDENTS = new WeakHashMap<>();
    private static final List<String> BEAN_MEMBERS = List.of("beans", "missingBeans", "bean");

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
                    || !definition.isCandidateBean(type) || namesACredentialsProvider(definition)
                    || !enabledIndependently(beans, definition)) {
                continue;
            }
            return Optional.of(definition.getBeanType().getName()
                    + (declaring.isEmpty() ? "" : " from " + declaring));
        }
        return Optional.empty();
    }

    /**
     * Whether the bean's {@code @Requires(beans/missingBeans/bean = ...)} names a credentials provider type
     * ({@code IrsaCredentialsProvider}, {@code AwsCredentialsProvider}...): the bean then states its relation to IRSA
     * itself and is decided after IRSA's beans, by its own condition.
     */
    private static boolean namesACredentialsProvider(BeanDefinition<?> definition) {
        for (AnnotationValue<Requires> requires : definition.getAnnotationMetadata()
                .getAnnotationValuesByType(Requires.class)) {
            for (String member : BEAN_MEMBERS) {
                for (Class<?> named : requires.classValues(member)) {
                    if (AwsCredentialsProvider.class.isAssignableFrom(named)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Whether the bean is enabled without depending on this integration's beans. A bean whose condition reaches them
     * some other way (a bean of another type that only exists with IRSA) makes Micronaut evaluate this condition again,
     * on this thread, while its own condition is evaluated; Micronaut has no re-entrance guard, so without this one
     * that recursed until the stack overflowed. Such a bean counts as depending on IRSA, like the beans
     * {@link #namesACredentialsProvider} finds, and is remembered per context: once Micronaut has cached the answers
     * for IRSA's beans, evaluating it again would no longer re-enter, and would decide otherwise.
     */
    private static boolean enabledIndependently(BeanContext beans, BeanDefinition<?> definition) {
        // Keyed by the generated definition class: each load() gives a new definition object for the same bean.
        Class<?> key = definition.getClass();
        Set<Class<?>> known = dependents(beans);
        if (known.contains(key)) {
            return false;
        }
        Map<Class<?>, boolean[]> inProgress = deciding.get();
        boolean[] reentered = inProgress.get(key);
        if (reentered != null) {
            reentered[0] = true;
            return false;
        }
        reentered = new boolean[1];
        inProgress.put(key, reentered);
        boolean enabled;
        try {
            enabled = definition.isEnabled(beans);
        } finally {
            inProgress.remove(key);
            if (inProgress.isEmpty()) {
                deciding.remove();
            }
        }
        if (reentered[0]) {
            known.add(key);
            return false;
        }
        return enabled;
    }

    private static Set<Class<?>> dependents(BeanContext beans) {
        synchronized (DEPENDENTS) {
            return DEPENDENTS.computeIfAbsent(beans, b -> ConcurrentHashMap.newKeySet());
        }
    }
}
