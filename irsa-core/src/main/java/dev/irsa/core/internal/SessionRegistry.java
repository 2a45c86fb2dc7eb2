package dev.irsa.core.internal;

import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide sessions shared by every provider built with the same configuration: one STS call per refresh
 * per role per process, however many SDK clients hold a provider. Each entry is reference-counted and closed when
 * its last holder releases it, so the map holds live sessions only (a plain concurrent map: nothing here expires
 * or is evicted). Several roles, or one role with different session policies, are different keys ({@link SessionKey},
 * one record per credential source) and so different sessions. A role chained from a shared session is an entry too,
 * keyed by its source's key and the chained role's settings; its engine holds a share of the source session, released
 * when it closes. Thread-safe.
 *
 * <p><b>Resuming.</b> Libraries that build a provider per filesystem or per query and close it afterwards (Hadoop
 * S3A with {@code FileSystem.newInstance}, an Iceberg FileIO) would otherwise pay an STS call each time the last
 * holder closes and a new one comes. So when a session closes with credentials, they are kept here (plain data: no
 * thread, no timer) with when they were obtained and when their refresh was due, and the next session for the same key
 * goes on from them with the original schedule ({@link RefreshEngine#seed(RefreshEngine.Kept)}: only within the
 * minimum refresh interval after they were obtained, or if valid past the mandatory window of their real lifetime), as
 * if the session had never closed. A session whose last refresh
 * failed leaves nothing: the next one asks STS at once. Kept credentials are dropped once no longer resumable (by
 * {@link RefreshEngine.Kept#resumableAt}, the one rule, on the key's clock, whenever a session closes) and at most
 * {@value #MAX_RESUMABLE} are kept (the oldest kept go first), so keys no longer used cost bounded memory. A closed
 * session's counts are kept too (at most {@value #MAX_COUNTED} keys) and carried into the one engine that replaces it,
 * so meters never go back and nothing is counted twice. Nothing here is logged or printed but expiry times.
 */
public final class SessionRegistry {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);
    /** Far more live sessions than any sane process has: worth a warning (a key built from something per request?). */
    private static final int MANY_SESSIONS = 1024;
    /** How many closed sessions' credentials are kept for a later session of the same key. */
    static final int MAX_RESUMABLE = 256;
    private static final SessionRegistry GLOBAL = new SessionRegistry();

    /** Makes the engine for a new session. */
    @FunctionalInterface
    public interface EngineFactory {
        /**
         * A new engine for a key that has no live session.
         *
         * @param resuming whether credentials of an earlier session of this key are at hand (so the engine may make
         *        no STS call: callers log less)
         * @return the engine, not started
         */
        RefreshEngine create(boolean resuming);
    }

    /** A shared engine and how many holders it has. */
    public static final class Entry {
        private final RefreshEngine engine;
        /** Guarded by the map's compute for this key while in the map; by this entry once {@link #detached}. */
        private int holders;
        /** Taken out of the map by {@link #reset()}: its holders go on with it, and no new holder finds it. */
        private volatile boolean detached;

        Entry(RefreshEngine engine) {
            this.engine = engine;
        }

        public RefreshEngine engine() {
            return engine;
        }
    }

    private final ConcurrentHashMap<SessionKey, Entry> sessions = new ConcurrentHashMap<>();
    /** Credentials of closed sessions, oldest first; guarded by itself. */
    private final Map<SessionKey, RefreshEngine.Kept> resumable = new LinkedHashMap<>();
    /**
     * The counts of closed sessions, for the next session of their key to count on from (exactly once: taken out when
     * it is made), oldest first, at most {@value #MAX_COUNTED}; guarded by {@link #resumable}.
     */
    private final Map<SessionKey, RefreshEngine.Counts> counts = new LinkedHashMap<>();
    static final int MAX_COUNTED = 1024;
    private volatile boolean warned;

    SessionRegistry() {
    }

    public static SessionRegistry global() {
        return GLOBAL;
    }

    /**
     * Takes a hold on the session for this key, creating it with {@code factory} if needed. An engine that fails while
     * being seeded is closed only once the map update is over: its close may release a hold on another key (a
     * chained engine's source session), and a {@link ConcurrentHashMap} must not be updated from inside its own
     * {@code compute}.
     *
     * @param key     the session's key
     * @param factory makes the engine when the key has no live session
     * @return the entry held; release it with {@link #release(SessionKey, Entry)}
     */
    public Entry acquire(SessionKey key, EngineFactory factory) {
        RefreshEngine[] unseeded = {null};
        Entry acquired;
        try {
            acquired = sessions.compute(key, (k, e) -> {
                Entry entry = e;
                if (entry == null) {
                    RefreshEngine.Kept last;
                    RefreshEngine.Counts counted;
                    synchronized (resumable) {
                        last = resumable.remove(k);
                        counted = counts.remove(k);
                    }
                    // Only what seed will take up counts as resuming: otherwise an STS call comes, and callers log it
                    boolean resuming = last != null && last.resumableAt(k.refreshPolicy(), k.clock().millis());
                    RefreshEngine engine;
                    try {
                        engine = factory.create(resuming);
                    } catch (RuntimeException | Error ex) {
                        keepAgain(k, last, counted); // nothing is lost: the next try may resume them
                        throw ex;
                    }
                    engine.carryCounts(counted); // the closed engine's counts, carried by the one engine replacing it
                    try {
                        // Before anyone can use the engine: seeded here, the first caller finds the credentials
                        engine.seed(resuming ? last : null);
                    } catch (RuntimeException | Error ex) {
                        unseeded[0] = engine; // closed below, once the map is no longer being updated
                        keepAgain(k, last, counted);
                        throw ex;
                    }
                    entry = new Entry(engine);
                }
                entry.holders++;
                return entry;
            });
        } catch (RuntimeException | Error ex) {
            if (unseeded[0] != null) {
                try {
                    unseeded[0].close(); // releases its timers, its hold on the shared scheduler and on its source
                } catch (RuntimeException | Error closing) {
                    ex.addSuppressed(closing);
                }
            }
            throw ex;
        }
        if (!warned && sessions.size() > MANY_SESSIONS) {
            warned = true;
            log.warn("More than {} distinct IRSA sessions are open in this process; is a provider built per request"
                    + " with a different session name or policy?", MANY_SESSIONS);
        }
        return acquired;
    }

    /** Releases a hold; the last one closes the session, keeping its credentials for the next session of the key. */
    public void release(SessionKey key, Entry entry) {
        boolean[] close = {false};
        boolean[] found = {false};
        sessions.computeIfPresent(key, (k, e) -> {
            if (e != entry) {
                return e;
            }
            found[0] = true;
            close[0] = --e.holders == 0;
            if (close[0]) {
                // Kept while the key is still absent from the map, so a new holder either finds this session or them
                remember(k, e.engine.kept(), e.engine.handOverCounts());
            }
            return close[0] ? null : e;
        });
        if (!found[0] && entry.detached) {
            synchronized (entry) { // taken out by reset(): counted here, and its credentials are not kept
                close[0] = --entry.holders == 0;
            }
        }
        if (close[0]) {
            entry.engine.close();
        }
    }

    /**
     * Forgets every kept set of credentials and takes every live session out of the registry, so that the next hold
     * on any configuration starts a session of its own that asks STS: for tests, which must not see what earlier
     * tests fetched. Holders of a session taken out go on with it, and the last of them closes it as usual.
     */
    public void reset() {
        for (SessionKey key : sessions.keySet()) {
            sessions.computeIfPresent(key, (k, e) -> {
                synchronized (e) {
                    e.detached = true;
                }
                return null;
            });
        }
        forgetKept();
    }

    private void remember(SessionKey key, RefreshEngine.Kept kept, RefreshEngine.Counts counted) {
        synchronized (resumable) {
            counts.remove(key);
            counts.put(key, counted);
            if (counts.size() > MAX_COUNTED) {
                Iterator<SessionKey> oldest = counts.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
            long now = key.clock().millis();
            for (Iterator<Map.Entry<SessionKey, RefreshEngine.Kept>> it = resumable.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<SessionKey, RefreshEngine.Kept> old = it.next();
                Clock clock = old.getKey().clock();
                if (!old.getValue().resumableAt(old.getKey().refreshPolicy(), clock == key.clock() ? now : clock.millis())) {
                    it.remove();
                }
            }
            resumable.remove(key);
            if (kept == null || !kept.resumableAt(key.refreshPolicy(), now)) {
                return;
            }
            resumable.put(key, kept);
            if (resumable.size() > MAX_RESUMABLE) {
                Iterator<SessionKey> oldest = resumable.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
        }
    }

    private void keepAgain(SessionKey key, RefreshEngine.Kept kept, RefreshEngine.Counts counted) {
        synchronized (resumable) {
            if (kept != null) {
                resumable.putIfAbsent(key, kept);
            }
            if (counted != null) {
                counts.putIfAbsent(key, counted);
            }
        }
    }

    /** Sessions currently shared (for diagnostics and tests). */
    public long size() {
        return sessions.size();
    }

    /**
     * Drops every kept set of credentials, so that the next session of each key starts afresh: for tests that count
     * STS calls per test while earlier tests closed sessions of the same configuration.
     */
    public void forgetKept() {
        synchronized (resumable) {
            resumable.clear();
            counts.clear();
        }
    }

    /** How many closed sessions' credentials are kept for resuming (for diagnostics and tests). */
    public int resumableSize() {
        synchronized (resumable) {
            return resumable.size();
        }
    }
}
