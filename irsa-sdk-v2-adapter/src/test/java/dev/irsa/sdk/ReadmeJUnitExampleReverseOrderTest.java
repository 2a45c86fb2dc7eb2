package dev.irsa.sdk;

import org.junit.jupiter.api.TestMethodOrder;

/** {@link ReadmeJUnitExampleTest}'s tests in the opposite order: each still sees only its own STS calls. */
@TestMethodOrder(ReadmeJUnitExampleTest.ReverseOrder.class)
class ReadmeJUnitExampleReverseOrderTest extends ReadmeJUnitExampleTest {
}
