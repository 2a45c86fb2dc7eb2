package dev.irsa.spring;

import dev.irsa.core.internal.SessionRegistry;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test of this module (JUnit extension auto-detection): a session closed by an earlier test is
 * resumed by the next one with the same configuration, without an STS call, and these tests count STS calls per
 * context. Each test starts with nothing kept.
 */
public final class ForgetKeptCredentials implements BeforeEachCallback {
    @Override
    public void beforeEach(ExtensionContext context) {
        SessionRegistry.global().forgetKept();
    }
}
