package dev.irsa.core.internal;

import dev.irsa.core.RefreshPolicy;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide sessions shared by every provider built with the same configuration: one STS call per refresh
 * per role per process, however many SDK clients hold a provider ({@link #global()}; a registry of its own,
 * {@link #create()}, does the same for the holds of one provider whose session is not shared). Each entry is reference-counted and closed when
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
 * so meters never go back and nothing is counted twice. What is kept of a closed session holds the application's
 * objects in its key only weakly when they are compared by identity or are resources ({@link Closed}): a provider built
 * and closed with an STS client of its own leaves that client collectable, and what was kept for it goes once the
 * client is gone (no key can name it again). Values (a {@code Clock.system(zone)}, made anew for each provider yet
 * equal to the last) are kept as they are, or an equal key coming after the first one's collection would find nothing.
 * Nothing here is logged or printed but expiry times.
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

    /**
     * A closed session's key as kept here: its settings' values in order, with the application's objects among them
     * that are compared by identity or are resources (its own STS client, a clock of its own class without
     * {@code equals}) held weakly, so keeping counts or credentials for a closed session never keeps an application's
     * client reachable. Equal to the kept form of an equal live key while those objects live; once one is collected,
     * equal to nothing but itself (no live key can hold that object), and dropped. Values compared by {@code equals}
     * (the {@code java.time} clocks) are held as they are: an equal one made later must still find what was kept.
     */
    record Closed(Class<?> source, List<Object> values) {
        static Closed of(SessionKey key) {
            List<Object> values = new ArrayList<>();
            for (SessionKey.Setting s : key.settings()) {
                Object v = s.value();
                values.add(v instanceof SessionKey source ? of(source) : hold(v));
            }
            return new Closed(key.getClass(), Collections.unmodifiableList(values));
        }

        /** {@code v} itself when a later, equal object may name it again; else a {@link Weak} hold on it. */
        static Object hold(Object v) {
            return plain(v) || !identityOrResource(v) ? v : new Weak(v);
        }

        /** What {@link #hold} made of {@code held}, or null once collected. */
        static Object get(Object held) {
            return held instanceof Weak w ? w.ref.get() : held;
        }

        private static boolean plain(Object v) {
            return v == null || v instanceof String || v instanceof URI || v instanceof Path || v instanceof Duration
                    || v instanceof RefreshPolicy || v instanceof List<?> l && l.stream().allMatch(String.class::isInstance);
        }

        /**
         * Whether {@code v} is only ever equal to itself (so holding it weakly loses nothing: once it is collected, no
         * key can name it), or a resource of the application's whose lifetime is the application's to decide (an SDK
         * client, whatever its {@code equals}).
         */
        private static boolean identityOrResource(Object v) {
            return v instanceof AutoCloseable || !VALUE_TYPE.get(v.getClass());
        }

        /** Whether an application object it named was collected: nothing can find it again. */
        boolean gone() {
            return values.stream().anyMatch(v -> v instanceof Weak w ? w.gone() : v instanceof Closed c && c.gone());
        }
    }

    /**
     * Whether a class compares its instances by value: it, or a superclass, overrides equals. {@link Clock} declares
     * an equals that is {@code Object}'s (to document that clocks should override it), so a clock of the
     * application's own class that does not (a test's manual clock) is compared by identity.
     */
    private static final ClassValue<Boolean> VALUE_TYPE = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            try {
                Class<?> declaring = type.getMethod("equals", Object.class).getDeclaringClass();
                return declaring != Object.class && declaring != Clock.class;
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(e); // every class has a public equals(Object)
            }
        }
    };

    /** An application's object, held weakly and compared as the object compares while it lives. */
    private static final class Weak {
        private final WeakReference<Object> ref;
        private final int hash;

        Weak(Object value) {
            this.ref = new WeakReference<>(value);
            this.hash = value.hashCode();
        }

        boolean gone() {
            return ref.get() == null;
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) {
                return true;
            }
            Object mine = ref.get();
            return mine != null && o instanceof Weak w && mine.equals(w.ref.get());
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * Kept credentials with what their rule is read by: the key's refresh policy and its clock, held as the key holds
     * it ({@link Closed#hold}: weakly unless a value).
     */
    private record Resumable(RefreshEngine.Kept kept, RefreshPolicy policy, Object clock) {
        Resumable(RefreshEngine.Kept kept, RefreshPolicy policy, Clock clock) {
            this(kept, policy, Closed.hold(clock));
        }

        /** Whether they are still to be kept, the key's clock read once per close ({@code now}, on {@code current}). */
        boolean keptAt(Clock current, long now) {
            Clock c = (Clock) Closed.get(clock);
            return c != null && kept.resumableAt(policy, c == current ? now : c.millis());
        }
    }

    private final ConcurrentHashMap<SessionKey, Entry> sessions = new ConcurrentHashMap<>();
    /** Credentials of closed sessions, oldest first; guarded by itself. */
    private final Map<Closed, Resumable> resumable = new LinkedHashMap<>();
    /**
     * The counts of closed sessions, for the next session of their key to count on from (exactly once: taken out when
     * it is made), oldest first, at most {@value #MAX_COUNTED}; guarded by {@link #resumable}.
     */
    private final Map<Closed, RefreshEngine.Counts> counts = new LinkedHashMap<>();
    static final int MAX_COUNTED = 1024;
    private volatile boolean warned;

    SessionRegistry() {
    }

    public static SessionRegistry global() {
        return GLOBAL;
    }

    /**
     * A registry of its own, whose sessions only the holds taken from it share: one SDK provider's own session
     * ({@code shared(false)}), held by its build, by a use after close and by a call answered across a close, which so
     * share one engine when they overlap and go on from one another (credentials and counts, exactly once) when not.
     * Dropped with its owner; {@link #reset()} of the global one does not reach it.
     *
     * @return a new, empty registry
     */
    public static SessionRegistry create() {
        return new SessionRegistry();
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
                    Closed closed = Closed.of(k);
                    synchronized (resumable) {
                        Resumable r = resumable.remove(closed);
                        last = r == null ? null : r.kept();
                        counted = counts.remove(closed);
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
        Closed closed = Closed.of(key);
        synchronized (resumable) {
            counts.keySet().removeIf(Closed::gone); // an application object collected: no key can find them again
            counts.remove(closed);
            counts.put(closed, counted);
            if (counts.size() > MAX_COUNTED) {
                Iterator<Closed> oldest = counts.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
            Clock clock = key.clock();
            long now = clock.millis();
            resumable.entrySet().removeIf(old -> old.getKey().gone() || !old.getValue().keptAt(clock, now));
            resumable.remove(closed);
            if (kept == null || !kept.resumableAt(key.refreshPolicy(), now)) {
                return;
            }
            resumable.put(closed, new Resumable(kept, key.refreshPolicy(), clock));
            if (resumable.size() > MAX_RESUMABLE) {
                Iterator<Closed> oldest = resumable.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
        }
    }

    private void keepAgain(SessionKey key, RefreshEngine.Kept kept, RefreshEngine.Counts counted) {
        Closed closed = Closed.of(key);
        synchronized (resumable) {
            if (kept != null) {
                resumable.putIfAbsent(closed, new Resumable(kept, key.refreshPolicy(), key.clock()));
            }
            if (counted != null) {
                counts.putIfAbsent(closed, counted);
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
