package dev.irsa.quarkus.internal;

import dev.irsa.core.SessionState;
import dev.irsa.sdk.IrsaCredentialsProvider;
import io.quarkus.arc.InjectableInstance;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness check {@code irsa}, never in liveness (a restart does not bring credentials back): UP while valid
 * credentials are held, also while refreshes fail (the data carry the error code, consecutive failures and time to
 * expiry, for alerts); DOWN when none are held (expired, failing, unusable or missing configuration) with the
 * reason and the fix. Before the first credentials are asked for it is UP with {@code health=UNKNOWN}, as the Spring
 * starter's: with {@code quarkus.irsa.warm-up=false} a pod that calls AWS only on requests must still become ready.
 * With {@code quarkus.irsa.active=false}, UP with {@code active=false}. Never shows a secret; never calls STS. The
 * Spring starter's {@code irsa} health contributor, in MicroProfile Health's terms.
 */
@Readiness
@Singleton
public class IrsaReadinessCheck implements HealthCheck {
    private final InjectableInstance<IrsaCredentialsProvider> bean;
    private final Clock clock = Clock.systemUTC();

    IrsaReadinessCheck(InjectableInstance<IrsaCredentialsProvider> bean) {
        this.bean = bean;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("irsa");
        if (!bean.getHandle().getBean().isActive()) {
            return b.up().withData("active", false).build(); // quarkus.irsa.active=false: nothing to be ready for
        }
        IrsaCredentialsProvider provider = bean.get();
        SessionState state = provider.state().orElse(null);
        if (state == null) {
            return b.down().withData("error", provider.unavailableReason().orElse("IRSA is not available")).build();
        }
        String status = state.healthStatus();
        b.status(!"DOWN".equals(status));
        if (!"UP".equals(status) && !"DOWN".equals(status)) {
            b.withData("health", status); // UNKNOWN: not asked yet (or no answer yet); nothing is wrong so far
        }
        for (Map.Entry<String, Object> e : state.details(clock.instant()).entrySet()) {
            Object v = e.getValue();
            if (v instanceof Boolean flag) {
                b.withData(e.getKey(), flag);
            } else if (v instanceof Integer || v instanceof Long) {
                b.withData(e.getKey(), ((Number) v).longValue());
            } else if (v != null) {
                b.withData(e.getKey(), String.valueOf(v));
            }
        }
        return b.build();
    }
}
