package dev.irsa.core.internal;

import dev.irsa.core.IrsaConfig;
import dev.irsa.core.PodIdentityConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide sessions shared by every provider built with the same configuration: one STS call per refresh
 * per role per process, however many SDK clients hold a provider. Each entry is reference-counted and closed when
 * its last holder releases it, so the map holds live sessions only (a plain concurrent map: nothing here expires
 * or is evicted). Several roles, or one role with different session policies, are different keys and so different
 * sessions. Thread-safe.

 */
public final class SessionRegistry {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);
    /** Far more live sessions than any sane process has: worth a warning (a key built from something per request?). */
    private static final int MANY_SESSIONS = 1024;
    private static final SessionRegistry GLOBAL = new SessionRegistry();

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

        /** A Pod Identity session: agent, token (a literal one only as a digest), timeouts, refresh policy, clock. */
        public static Key of(PodIdentityConfig c) {
            String token = c.literalToken().map(Key::digest).orElse(null);
            return new Key("pod-identity", c.tokenFile().orElse(null), token, c.endpoint(), null, null, List.of(),
                    c.refreshPolicy(), null, c.connectTimeout(), c.readTimeout(), c.clock());
        }

        private static String digest(String s) {
            try {
                return "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A shared engine and how many holders it has. */
    public static final class Entry {
        private final RefreshEngine engine;
        private int holders; // guarded by the map's compute for this key

        Entry(RefreshEngine engine) {
            this.engine = engine;
        }

        public RefreshEngine engine() {
            return engine;
        }
    }

    private final ConcurrentHashMap<Key, Entry> sessions = new ConcurrentHashMap<>();
    private volatile boolean warned;

    SessionRegistry() {
    }

    public static SessionRegistry global() {
        return GLOBAL;
    }

    /** Takes a hold on the session for this key, creating it with {@code factory} if needed. */
    public Entry acquire(Key key, Function<Key, RefreshEngine> factory) {
        Entry acquired = sessions.compute(key, (k, e) -> {
            Entry entry = e != null ? e : new Entry(factory.apply(k));
            entry.holders++;
            return entry;
        });
        if (!warned && sessions.size() > MANY_SESSIONS) {
            warned = true;
            log.warn("More than {} distinct IRSA sessions are open in this process; is a provider built per request"
                    + " with a different session name or policy?", MANY_SESSIONS);
        }
        return acquired;
    }

    /** Releases a hold; the last one closes the session. */
    public void release(Key key, Entry entry) {
        boolean[] close = {false};
        sessions.computeIfPresent(key, (k, e) -> {
            if (e != entry) {
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
        return sessions.size();
    }
}
