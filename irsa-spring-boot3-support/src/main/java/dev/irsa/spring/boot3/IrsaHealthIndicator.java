package dev.irsa.spring.boot3;

import dev.irsa.core.SessionState;
import dev.irsa.sdk.IrsaCredentialsProvider;
import java.time.Clock;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Health contributor {@code irsa}: UP while valid credentials are held, also while refreshes fail (for any reason;
 * details carry the error code, consecutive failures and time to expiry, for alerts); DOWN when none are held
 * (expired, never obtained, unusable configuration), with the reason and the fix; UNKNOWN until the first answer
 * (the starter's warm-up asks at startup)
 * ({@link dev.irsa.core.SessionState#healthStatus()}). Never shows a secret; never calls STS.
 * @since 0.1.0
 */
public final class IrsaHealthIndicator implements HealthIndicator {
    private final IrsaCredentialsProvider provider;
    private final Clock clock;

    /**
     * Creates a health indicator.
     *
     * @param provider the credentials provider whose state is reported
     * @param clock supplies the current time for the reported details (such as time to expiry)
     */
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
