package dev.irsa.spring;

import dev.irsa.core.TestIsolation;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test of this module (JUnit extension auto-detection), also those without the test kit's
 * extensions (which do the same): a session closed by an earlier test would be resumed by the next one with the same
 * configuration, without an STS call, and a session left open would be joined, while these tests count STS calls per
 * context. Each test starts with nothing kept or shared, through the public {@link TestIsolation#reset()}.
 */
public final class ResetProcessState implements BeforeEachCallback {
    @Override
    public void beforeEach(ExtensionContext context) {
        TestIsolation.reset();
    }
}
