package dev.irsa.core.internal;

import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coordinated Restore at Checkpoint: before a checkpoint every session stops trusting its timers; after a restore
 * (possibly hours later, on another machine) each one re-arms from the wall clock or refreshes at once. Through
 * {@code org.crac}, which does nothing on a JDK without CRaC. Installed once per process.
 */
final class CheckpointHook implements Resource {
    private static final Logger log = LoggerFactory.getLogger(CheckpointHook.class);
    /** CRaC holds resources weakly: this keeps ours registered for the life of the process. */
    private static CheckpointHook installed;

    private CheckpointHook() {}

    static synchronized void install() {
        if (installed != null) {
            return;
        }
        CheckpointHook hook = new CheckpointHook();
        try {
            Core.getGlobalContext().register(hook);
        } catch (RuntimeException | LinkageError e) {
            log.debug("CRaC support not installed: {}", e.toString());
        }
        installed = hook;
    }

    /** The installed hook (for tests that play a checkpoint without a CRaC JDK). */
    static synchronized Resource resource() {
        return installed;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        SharedScheduler.notifyCurrent(Scheduler.ClockWatcher::beforeCheckpoint);
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        log.info("Restored from a checkpoint: IRSA sessions re-check their credentials against the wall clock");
        SharedScheduler.notifyCurrent(Scheduler.ClockWatcher::afterRestore);
    }
}
