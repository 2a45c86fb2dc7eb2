package dev.irsa.micronaut.internal;

import dev.irsa.sdk.IrsaCredentialsProvider;
import io.micronaut.context.BeanContext;
import io.micronaut.context.BootstrapContextAccess;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases, when the application stops, the IRSA providers that Micronaut's bootstrap context created (for
 * micronaut-aws's distributed configuration: Parameter Store, Secrets Manager). Micronaut never stops its bootstrap
 * context, so their {@code close()} would never run and their hold would keep the shared session's threads alive
 * after the application's context closed. A provider created there hands itself over to the main context
 * ({@link #handOver}); this bean, in the main context, closes them.
 */
@Context
public final class BootstrapHolds {
    private static final Logger log = LoggerFactory.getLogger(BootstrapHolds.class);
    private final List<Hold> holds;

    /**
     * A bootstrap context's provider, registered in the main context for {@link BootstrapHolds} to close.
     *
     * @param provider the provider the bootstrap context created
     */
    public record Hold(IrsaCredentialsProvider provider) {
    }

    /**
     * Creates the bean; Micronaut injects what bootstrap contexts handed over.
     *
     * @param holds the providers to close when the application stops
     */
    public BootstrapHolds(List<Hold> holds) {
        this.holds = holds;
    }

    /**
     * When {@code context} is Micronaut's bootstrap context, registers {@code provider} in the main context so that it
     * is closed with it; otherwise does nothing.
     *
     * @param context the context that created the provider
     * @param provider the provider it created
     */
    public static void handOver(BeanContext context, IrsaCredentialsProvider provider) {
        Optional<BootstrapContextAccess> access;
        try {
            access = context.findBean(BootstrapContextAccess.class);
        } catch (NoClassDefFoundError e) {
            return; // Micronaut before 4.6: no bootstrap access; the hold then lasts until the JVM exits
        }
        access.ifPresent(a -> a.getMainRegistry().registerSingleton(Hold.class, new Hold(provider)));
    }

    /** Releases the bootstrap contexts' holds on their sessions. */
    @PreDestroy
    public void close() {
        for (Hold h : holds) {
            log.debug("Releasing the IRSA session hold of Micronaut's bootstrap context");
            h.provider().close();
        }
    }
}
