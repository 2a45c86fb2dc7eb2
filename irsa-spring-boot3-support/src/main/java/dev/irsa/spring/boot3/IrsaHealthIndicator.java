package dev.irsa.spring.boot3;

import dev.irsa.core.SessionState;
import dev.irsa.sdk.IrsaCredentialsProvider;
import java.time.Clock;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Health contributor {@code irsa} (Spring Boot 3): UP with the role and time to expiry while valid credentials are
 * served (also while refreshes fail transiently); DOWN after real expiry, a non-recoverable error or an unusable
 * configuration, with the reason and the fix; UNKNOWN before the first credentials were asked for
 * ({@link dev.irsa.core.SessionState#healthStatus()}). Never shows a secret; never calls STS.
 */
public final class IrsaHealthIndicator implements HealthIndicator {
    private final IrsaCredentialsProvider provider;
    private final Clock clock;

    public IrsaHealthIndicator(IrsaCredentialsProvider provider, Clock clock) {
        this.provider = provider;
        this.clock = clock;
    }

    @Override
    public Health health() {
        SessionState state = provider.state().orElse(null);
        if (state == null) {
            return Health.down().withDetail("error", provider.unavailableReason().orElse("IRSA is not available")).build();
        }
        return Health.status(state.healthStatus()).withDetails(state.details(clock.instant())).build();
    }
}
