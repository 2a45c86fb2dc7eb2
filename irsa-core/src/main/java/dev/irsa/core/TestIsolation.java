package dev.irsa.core;

import dev.irsa.core.internal.SessionRegistry;

/**
 * For tests: resets the state irsa-java keeps for the whole process, so that a test sees only what it fetches itself.
 * Providers and sessions built alike share one session ({@link IrsaSession#shared(IrsaConfig)}), and a shared
 * session closed by its last holder keeps its credentials for the next one: across tests in one JVM, a test would
 * otherwise make no STS call at all (the credentials an earlier test fetched answer) or survive an outage by
 * accident. The test kit's JUnit extensions call {@link #reset()} before each test (by reflection, as the test kit
 * depends on nothing of ours); call it yourself in other test set-ups. Not for production code.
 *
 * @since 0.1.0
 */
public final class TestIsolation {
    private TestIsolation() {
    }

    /**
     * Forgets every kept set of credentials, and detaches every shared session from its configuration: the next
     * provider or {@link IrsaSession#shared} hold, of any configuration, starts a session of its own that asks STS
     * (or the Pod Identity agent). Sessions already held are not closed: their holders go on with them and the last
     * holder's close stops them as usual. Thread-safe; sessions of their own ({@code shared(false)}) are untouched.
     */
    public static void reset() {
        SessionRegistry.global().reset();
    }
}
