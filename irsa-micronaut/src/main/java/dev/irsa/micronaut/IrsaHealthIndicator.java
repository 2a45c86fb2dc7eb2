package dev.irsa.micronaut;

import dev.irsa.core.SessionState;
import dev.irsa.micronaut.internal.IrsaConfiguredCondition;
import dev.irsa.micronaut.internal.UserCredentialsProviderAbsentCondition;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Map;
import org.reactivestreams.Publisher;

/**
 * Health indicator {@code irsa}, for readiness only ({@link Readiness}; never in {@code /health/liveness}: a pod without
 * credentials should stop getting traffic, not be restarted). UP while valid credentials are held, also while
 * refreshes fail (details carry the error code, consecutive failures and time to expiry, for alerts); DOWN when none
 * are held (expired, never obtained, unusable configuration), with the reason and the fix; UNKNOWN until the first
 * answer (the warm-up asks at startup). Details as the Spring Boot starter's ({@code roleArn}, {@code expiration},
 * {@code timeToExpiry}, ...); never a secret. Never calls STS. Present with micronaut-management; switched off with
 * {@code endpoints.health.irsa.enabled=false}.
 * @since 0.1.0
 */
@Singleton
@Readiness
@Requires(classes = HealthIndicator.class)
@Requires(property = "endpoints.health.irsa.enabled", notEquals = "false")
@Requires(property = "irsa.enabled", notEquals = "false")
@Requires(condition = IrsaConfiguredCondition.class)
@Requires(condition = UserCredentialsProviderAbsentCondition.class)
public class IrsaHealthIndicator implements HealthIndicator {
    /** The indicator's name in health responses: {@value}. */
    public static final String NAME = "irsa";
    private final IrsaCredentialsProvider provider;
    private final Clock clock;

    /**
     * Creates the indicator; Micronaut injects the provider bean.
     *
     * @param provider the IRSA provider whose session is reported
     */
    @Inject
    public IrsaHealthIndicator(IrsaCredentialsProvider provider) {
        this(provider, Clock.systemUTC());
    }

    /**
     * Creates an indicator reading the time from {@code clock} (for the time to expiry).
     *
     * @param provider the IRSA provider whose session is reported
     * @param clock supplies the current time for the details
     */
    public IrsaHealthIndicator(IrsaCredentialsProvider provider, Clock clock) {
        this.provider = provider;
        this.clock = clock;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        return Publishers.just(health());
    }

    /**
     * The current health, computed from the session's state without calling STS.
     *
     * @return the {@code irsa} health result
     */
    public HealthResult health() {
        SessionState state = provider.state().orElse(null);
        if (state == null) {
            return HealthResult.builder(NAME, HealthStatus.DOWN)
                    .details(Map.of("error", provider.unavailableReason().orElse("IRSA is not available"))).build();
        }
        HealthStatus status = switch (state.healthStatus()) {
            case "UP" -> HealthStatus.UP;
            case "DOWN" -> HealthStatus.DOWN;
            default -> HealthStatus.UNKNOWN;
        };
        return HealthResult.builder(NAME, status).details(state.details(clock.instant())).build();
    }
}
