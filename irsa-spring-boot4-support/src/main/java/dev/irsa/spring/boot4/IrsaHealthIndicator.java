package dev.irsa.spring.boot4;

import dev.irsa.sdk.IrsaCredentialsProvider;
import dev.irsa.spring.common.internal.HealthReading;
import java.time.Clock;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

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
        HealthReading reading = HealthReading.of(provider, clock);
        return Health.status(reading.status()).withDetails(reading.details()).build();
    }
}
