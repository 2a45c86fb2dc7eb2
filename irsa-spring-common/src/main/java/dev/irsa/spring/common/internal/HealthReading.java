package dev.irsa.spring.common.internal;

import dev.irsa.core.SessionState;
import dev.irsa.sdk.IrsaCredentialsProvider;
import java.time.Clock;
import java.util.Map;

/**
 * What the {@code irsa} health contributor reports, as each line's {@code IrsaHealthIndicator} hands it to that line's
 * {@code Health} builder: UP while valid credentials are held, also while refreshes fail (details carry the error
 * code, consecutive failures and time to expiry); DOWN when none are held, with the reason and the fix; UNKNOWN until
 * the first answer ({@link SessionState#healthStatus()}). Never shows a secret; never calls STS.
 *
 * @param status the health status code ({@code UP}, {@code DOWN}, {@code UNKNOWN})
 * @param details the details to show
 */
public record HealthReading(String status, Map<String, Object> details) {
    /**
     * Reads {@code provider}'s state.
     *
     * @param provider the credentials provider whose state is reported
     * @param clock supplies the current time for the details (such as time to expiry)
     * @return the reading
     */
    public static HealthReading of(IrsaCredentialsProvider provider, Clock clock) {
        SessionState state = provider.state().orElse(null);
        if (state == null) {
            return new HealthReading("DOWN", Map.of("error", provider.unavailableReason().orElse("IRSA is not available")));
        }
        return new HealthReading(state.healthStatus(), state.details(clock.instant()));
    }
}
