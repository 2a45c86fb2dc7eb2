package dev.irsa.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.junit.IrsaEmulatorExtension;
import dev.irsa.testkit.kafka.MskIamBroker;
import dev.irsa.testkit.kafka.MskIamBrokerExtension;
import dev.irsa.testkit.rds.RdsIamDatabase;
import dev.irsa.testkit.rds.RdsIamDatabaseExtension;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker's and the database's extensions, observed from outside a real JUnit run of a class that registers them:
 * in a static field one fixture serves the class and its {@code @Nested} classes and is closed after the class; in an
 * instance field each test gets its own, closed after it; asked for before it starts (a {@code PER_CLASS}
 * constructor), it is refused with a message that says why and to take it as a method parameter instead.
 */
class FixtureExtensionLifecycleTest {
    static final List<Object> SEEN = new CopyOnWriteArrayList<>();

    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class BrokerPerClass {
        @RegisterExtension
        @Order(1)
        static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();
        @RegisterExtension
        @Order(2)
        static final MskIamBrokerExtension kafka = MskIamBrokerExtension.forEmulator(() -> irsa.environment().sts());

        @Test
        void outer(MskIamBroker broker) {
            SEEN.add(broker);
        }

        @Nested
        class Inner {
            @Test
            void inner(MskIamBroker broker) {
                SEEN.add(broker);
            }
        }
    }

    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class BrokerPerTest {
        @RegisterExtension
        @Order(1)
        static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();
        @RegisterExtension
        @Order(2)
        final MskIamBrokerExtension kafka = MskIamBrokerExtension.forEmulator(() -> irsa.environment().sts());

        @Test
        @Order(1)
        void first(MskIamBroker broker) {
            SEEN.add(broker);
        }

        @Test
        @Order(2)
        void second(MskIamBroker broker) {
            SEEN.add(broker);
            assertRefused((MskIamBroker) SEEN.get(0));
        }
    }

    /** Created under PER_CLASS before the class's before-all callbacks run: before the extension starts its fixture. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    static class BrokerBeforeItStarts {
        @RegisterExtension
        @Order(1)
        static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();
        @RegisterExtension
        @Order(2)
        static final MskIamBrokerExtension kafka = MskIamBrokerExtension.forEmulator(() -> irsa.environment().sts());

        BrokerBeforeItStarts(MskIamBroker broker) {
        }

        @Test
        void test() {
        }
    }

    static class DatabasePerClass {
        @RegisterExtension
        @Order(1)
        static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();
        @RegisterExtension
        @Order(2)
        static final RdsIamDatabaseExtension rds = RdsIamDatabaseExtension.forEmulator(() -> irsa.environment().sts());

        @Test
        void outer(RdsIamDatabase db) {
            SEEN.add(db);
        }

        @Nested
        class Inner {
            @Test
            void inner(RdsIamDatabase db) {
                SEEN.add(db);
            }
        }
    }

    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class DatabasePerTest {
        @RegisterExtension
        @Order(1)
        static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();
        @RegisterExtension
        @Order(2)
        final RdsIamDatabaseExtension rds = RdsIamDatabaseExtension.forEmulator(() -> irsa.environment().sts());

        @Test
        @Order(1)
        void first(RdsIamDatabase db) {
            SEEN.add(db);
        }

        @Test
        @Order(2)
        void second(RdsIamDatabase db) {
            SEEN.add(db);
            assertThat(((RdsIamDatabase) SEEN.get(0)).isClosed()).isTrue();
        }
    }

    /** Created under PER_CLASS before the class's before-all callbacks run: before the extension starts its fixture. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    static class DatabaseBeforeItStarts {
        @RegisterExtension
        @Order(1)
        static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();
        @RegisterExtension
        @Order(2)
        static final RdsIamDatabaseExtension rds = RdsIamDatabaseExtension.forEmulator(() -> irsa.environment().sts());

        DatabaseBeforeItStarts(RdsIamDatabase db) {
        }

        @Test
        void test() {
        }
    }

    private static void run(Class<?> testClass) {
        SEEN.clear();
        ClassRun.assertSucceeds(testClass, 2);
        assertThat(SEEN).hasSize(2);
    }

    static void assertRefused(MskIamBroker broker) {
        String[] hostPort = broker.bootstrapServers().split(":");
        ClassRun.assertRefused(hostPort[0], Integer.parseInt(hostPort[1]));
    }

    @Test
    void aBrokerInAStaticFieldServesTheClassAndItsNestedClassesAndIsClosedAfterIt() {
        run(BrokerPerClass.class);
        assertThat(SEEN.get(1)).isSameAs(SEEN.get(0));
        assertRefused((MskIamBroker) SEEN.get(0));
    }

    @Test
    void aDatabaseInAStaticFieldServesTheClassAndItsNestedClassesAndIsClosedAfterIt() {
        run(DatabasePerClass.class);
        assertThat(SEEN.get(1)).isSameAs(SEEN.get(0));
        assertThat(((RdsIamDatabase) SEEN.get(0)).isClosed()).isTrue();
    }

    @Test
    void aBrokerInAnInstanceFieldIsEachTestsOwnClosedAfterIt() {
        run(BrokerPerTest.class);
        assertThat(SEEN.get(1)).isNotSameAs(SEEN.get(0));
        assertRefused((MskIamBroker) SEEN.get(1));
    }

    @Test
    void aDatabaseInAnInstanceFieldIsEachTestsOwnClosedAfterIt() {
        run(DatabasePerTest.class);
        assertThat(SEEN.get(1)).isNotSameAs(SEEN.get(0));
        assertThat(((RdsIamDatabase) SEEN.get(1)).isClosed()).isTrue();
    }

    @Test
    void askedForBeforeItStartsTheBrokerIsRefusedSayingWhere() {
        assertThat(ClassRun.failuresOf(BrokerBeforeItStarts.class)).singleElement().asString()
                .contains("ParameterResolutionException: No MskIamBroker runs yet for"
                        + " FixtureExtensionLifecycleTest$BrokerBeforeItStarts: the broker starts in"
                        + " MskIamBrokerExtension's before-all (static field; instance field under"
                        + " @TestInstance(PER_CLASS)) or before-each (instance field), and JUnit creates a PER_CLASS"
                        + " test instance (its constructor, TestInstancePostProcessor extensions) before either: take the"
                        + " MskIamBroker as a parameter of a test, @BeforeEach or @BeforeAll method instead");
    }

    @Test
    void askedForBeforeItStartsTheDatabaseIsRefusedSayingWhere() {
        assertThat(ClassRun.failuresOf(DatabaseBeforeItStarts.class)).singleElement().asString()
                .contains("ParameterResolutionException: No RdsIamDatabase runs yet for"
                        + " FixtureExtensionLifecycleTest$DatabaseBeforeItStarts: the database starts in"
                        + " RdsIamDatabaseExtension's before-all (static field; instance field under"
                        + " @TestInstance(PER_CLASS)) or before-each (instance field), and JUnit creates a PER_CLASS"
                        + " test instance (its constructor, TestInstancePostProcessor extensions) before either: take the"
                        + " RdsIamDatabase as a parameter of a test, @BeforeEach or @BeforeAll method instead");
    }
}
