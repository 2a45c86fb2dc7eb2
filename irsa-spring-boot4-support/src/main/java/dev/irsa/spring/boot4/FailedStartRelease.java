package dev.irsa.spring.boot4;

import dev.irsa.spring.common.internal.BootstrapRun;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Releases the bootstrap provider's hold on its session when the application fails to start before its context took
 * the provider over (or took it over but never refreshed): the session and its refresh threads would otherwise run
 * until the JVM exits. A failure while refreshing is covered by the context, which destroys its beans.
 *
 * <p>One per application run, as Spring Boot creates run listeners. Inert on Spring Boot 3: its {@code starting}
 * there takes another type, so this one's is never called and nothing is noted.
 * @since 0.1.0
 */
public final class FailedStartRelease implements SpringApplicationRunListener {
    private volatile BootstrapRun run;

    /** Creates the listener; Spring Boot instantiates it once per application run. */
    public FailedStartRelease() {
    }

    @Override
    public void starting(ConfigurableBootstrapContext bootstrapContext) {
        run = bootstrapContext.isRegistered(BootstrapRun.class) ? bootstrapContext.get(BootstrapRun.class) : null;
    }

    @Override
    public void failed(ConfigurableApplicationContext context, Throwable exception) {
        BootstrapRun.startFailed(run, context);
    }
}
