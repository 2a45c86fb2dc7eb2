package dev.irsa.core.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.irsa.core.IrsaConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide sessions shared by every provider built with the same configuration: one STS call per refresh
 * per role per process, however many SDK clients hold a provider. Bounded (Caffeine); each entry is
 * reference-counted and closed when its last holder releases it. Several roles, or one role with different
 * session policies, are different keys and so different sessions. Thread-safe.
 */
public final class SessionRegistry {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);
    private static final int MAX_SESSIONS = 1024;
    private static final SessionRegistry GLOBAL = new SessionRegistry(MAX_SESSIONS);

    /**
     * What makes two configurations share a session: everything that changes what STS is asked, how, or when.
     * Listeners and eager start do not count (each holder adds its listeners to the shared session, counted once
     * per listener instance).
     */
    public record Key(String roleArn, Path tokenFile, String sessionName, URI endpoint, Duration duration,
                      String sessionPolicy, List<String> policyArns, Object refreshPolicy, Object stsClient,
                      Duration connectTimeout, Duration readTimeout, Object clock) {
        public static Key of(IrsaConfig c) {
            return new Key(c.roleArn().toString(), c.tokenFile(), c.roleSessionName(), c.stsEndpoint(),
                    c.sessionDuration(), c.sessionPolicy().orElse(null), c.policyArns(), c.refreshPolicy(),
                    c.stsClient().orElse(null), c.connectTimeout(), c.readTimeout(), c.clock());
        }
    }

    /** A shared engine and how many holders it has. */
    public static final class Entry {
        private final RefreshEngine engine;
        private int holders; // guarded by the registry map's compute

        Entry(RefreshEngine engine) {
            this.engine = engine;
        }

        public RefreshEngine engine() {
            return engine;
        }
    }

    private final Cache<Key, Entry> sessions;

    SessionRegistry(int max) {
        sessions = Caffeine.newBuilder()
                .maximumSize(max)
                .executor(Runnable::run) // no pool threads of someone else's for our bookkeeping
                .removalListener((Key k, Entry e, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE) {
                        log.warn("More than {} distinct IRSA sessions in this process; {} is no longer shared", max, k.roleArn());
                    }
                })
                .build();
    }

    public static SessionRegistry global() {
        return GLOBAL;
    }

    /** Takes a hold on the session for this key, creating it with {@code factory} if needed. */
    public Entry acquire(Key key, Function<Key, RefreshEngine> factory) {
        return sessions.asMap().compute(key, (k, e) -> {
            Entry entry = e != null ? e : new Entry(factory.apply(k));
            entry.holders++;
            return entry;
        });
    }

    /** Releases a hold; the last one closes the session. */
    public void release(Key key, Entry entry) {
        boolean[] close = {false};
        sessions.asMap().compute(key, (k, e) -> {
            if (e != entry) {
                // evicted by size or replaced: only this holder's entry is affected
                synchronized (entry) {
                    close[0] = --entry.holders == 0;
                }
                return e;
            }
            close[0] = --e.holders == 0;
            return close[0] ? null : e;
        });
        if (close[0]) {
            entry.engine.close();
        }
    }

    /** Sessions currently shared (for diagnostics and tests). */
    public long size() {
        sessions.cleanUp();
        return sessions.estimatedSize();
    }
}
