package dev.irsa.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.testkit.ClassRun;
import dev.irsa.testkit.IrsaEnvironment;
import dev.irsa.testkit.PodIdentityEnvironment;
import dev.irsa.testkit.StsEmulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Both emulator extensions' lifecycle, observed from outside a real JUnit run of a class that registers them (what a
 * class's own tests cannot see: what happens after its last test): in a static field one environment serves the
 * class, renewed (call log cleared, fresh token) before each test and closed after the class; in an instance field
 * each test gets its own, closed after it; test methods receive it as a parameter; outside a run it is refused.
 * Registered on a class, an extension serves its {@code @Nested} classes as JUnit's semantics say: a static field's one
 * environment serves them too (renewed before each of their tests) and is closed once, after the enclosing class; an
 * instance field's gives each of their tests one of its own.
 */
class EmulatorExtensionLifecycleTest {
    /** What one test of a class run below saw. */
    record Seen(Object env, String token, URI endpoint, StsEmulator sts) {
    }

    static final List<Seen> SEEN = new CopyOnWriteArrayList<>();
    /** How many environments the classes run below started: their extensions count in the builder's customizer. */
    static final AtomicInteger STARTS = new AtomicInteger();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The same tests for both extensions; a subclass registers one and says how to read its environment. */
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    abstract static class Scenario {
        abstract Seen seen() throws IOException;

        @Test
        @Order(1)
        void first() throws Exception {
            callSts(record());
        }

        @Test
        @Order(2)
        void second() throws Exception {
            Seen seen = record();
            Seen before = SEEN.get(0);
            if (seen.env() == before.env()) {
                assertThat(seen.sts().calls().all()).isEmpty();
                assertThat(seen.token()).isNotEqualTo(before.token());
            } else {
                assertRefused(before.endpoint());
            }
        }

        private Seen record() throws IOException {
            Seen seen = seen();
            SEEN.add(seen);
            return seen;
        }
    }

    static class IrsaPerClass extends Scenario {
        @RegisterExtension
        static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

        @Test
        @Order(3)
        void parameter(IrsaEnvironment env) {
            assertThat(env).isSameAs(irsa.environment());
        }

        @Override
        Seen seen() throws IOException {
            return irsa(irsa.environment());
        }
    }

    static class IrsaPerTest extends Scenario {
        @RegisterExtension
        final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

        @Override
        Seen seen() throws IOException {
            return irsa(irsa.environment());
        }
    }

    static class PodIdentityPerClass extends Scenario {
        @RegisterExtension
        static final PodIdentityEmulatorExtension podIdentity = PodIdentityEmulatorExtension.create();

        @Test
        @Order(3)
        void parameter(PodIdentityEnvironment env) {
            assertThat(env).isSameAs(podIdentity.environment());
        }

        @Override
        Seen seen() throws IOException {
            return podIdentity(podIdentity.environment());
        }
    }

    static class PodIdentityPerTest extends Scenario {
        @RegisterExtension
        final PodIdentityEmulatorExtension podIdentity = PodIdentityEmulatorExtension.create();

        @Override
        Seen seen() throws IOException {
            return podIdentity(podIdentity.environment());
        }
    }

    /**
     * A static extension and a {@code @Nested} class: the outer test leaves a call in the log, the nested test must
     * get the same environment (as a parameter and from the outer's field) renewed, and no second one may start.
     */
    static class IrsaPerClassNested {
        @RegisterExtension
        static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.with(b -> STARTS.incrementAndGet());

        @Test
        void outer() throws Exception {
            Seen seen = irsa(irsa.environment());
            SEEN.add(seen);
            callSts(seen);
        }

        @Nested
        class Inner {
            @Test
            void inner(IrsaEnvironment env) throws Exception {
                SEEN.add(irsa(env));
                assertThat(env).isSameAs(irsa.environment());
                assertRenewed();
            }
        }
    }

    static class PodIdentityPerClassNested {
        @RegisterExtension
        static final PodIdentityEmulatorExtension podIdentity =
                PodIdentityEmulatorExtension.with(b -> STARTS.incrementAndGet());

        @Test
        void outer() throws Exception {
            Seen seen = podIdentity(podIdentity.environment());
            SEEN.add(seen);
            callSts(seen);
        }

        @Nested
        class Inner {
            @Test
            void inner(PodIdentityEnvironment env) throws Exception {
                SEEN.add(podIdentity(env));
                assertThat(env).isSameAs(podIdentity.environment());
                assertRenewed();
            }
        }
    }

    /**
     * An instance field and a {@code @Nested} class: each test, outer or nested, gets its own environment, closed
     * after it (a nested test finds the one before it closed).
     */
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class IrsaPerTestNested {
        @RegisterExtension
        final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.with(b -> STARTS.incrementAndGet());

        @Test
        void outer(IrsaEnvironment env) throws Exception {
            assertThat(env).isSameAs(irsa.environment());
            SEEN.add(irsa(env));
        }

        @Nested
        @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
        class Inner {
            @Test
            @Order(1)
            void first(IrsaEnvironment env) throws Exception {
                assertOwnAfterClosedOnes(irsa(env), irsa.environment());
            }

            @Test
            @Order(2)
            void second(IrsaEnvironment env) throws Exception {
                assertOwnAfterClosedOnes(irsa(env), irsa.environment());
            }
        }
    }

    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class PodIdentityPerTestNested {
        @RegisterExtension
        final PodIdentityEmulatorExtension podIdentity = PodIdentityEmulatorExtension.with(b -> STARTS.incrementAndGet());

        @Test
        void outer(PodIdentityEnvironment env) throws Exception {
            assertThat(env).isSameAs(podIdentity.environment());
            SEEN.add(podIdentity(env));
        }

        @Nested
        @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
        class Inner {
            @Test
            @Order(1)
            void first(PodIdentityEnvironment env) throws Exception {
                assertOwnAfterClosedOnes(podIdentity(env), podIdentity.environment());
            }

            @Test
            @Order(2)
            void second(PodIdentityEnvironment env) throws Exception {
                assertOwnAfterClosedOnes(podIdentity(env), podIdentity.environment());
            }
        }
    }

    /** Leaves a call in the log, which the next test must not find if it gets the same environment. */
    private static void callSts(Seen seen) throws Exception {
        HTTP.send(HttpRequest.newBuilder(seen.sts().endpoint())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("Action=GetCallerIdentity&Version=2011-06-15")).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(seen.sts().calls().all()).isNotEmpty();
    }

    /** The nested test's environment is the outer test's, with the outer test's call forgotten and a fresh token. */
    private static void assertRenewed() {
        Seen outer = SEEN.get(0);
        Seen inner = SEEN.get(1);
        assertThat(inner.env()).isSameAs(outer.env());
        assertThat(inner.sts().calls().all()).isEmpty();
        assertThat(inner.token()).isNotEqualTo(outer.token());
    }

    /** A test with an instance field: its environment is its own (the field's too), and every earlier one is closed. */
    private static void assertOwnAfterClosedOnes(Seen seen, Object field) {
        assertThat(field).isSameAs(seen.env());
        for (Seen earlier : SEEN) {
            assertThat(earlier.env()).isNotSameAs(seen.env());
            assertRefused(earlier.endpoint());
        }
        SEEN.add(seen);
    }

    static Seen irsa(IrsaEnvironment env) throws IOException {
        return new Seen(env, Files.readString(env.tokenFile()), env.stsEndpoint(), env.sts());
    }

    static Seen podIdentity(PodIdentityEnvironment env) throws IOException {
        return new Seen(env, Files.readString(env.tokenFile()), env.agentEndpoint(), env.sts());
    }

    private static void run(Class<?> testClass, int tests) {
        run(testClass, tests, 2);
    }

    private static void run(Class<?> testClass, int tests, int seen) {
        SEEN.clear();
        STARTS.set(0);
        ClassRun.assertSucceeds(testClass, tests);
        assertThat(SEEN).hasSize(seen);
    }

    @Test
    void irsaInAStaticFieldServesTheClassAndIsClosedAfterIt() throws Exception {
        run(IrsaPerClass.class, 3);
        assertThat(SEEN.get(1).env()).isSameAs(SEEN.get(0).env());
        assertRefused(SEEN.get(0).endpoint());
        assertThat(((IrsaEnvironment) SEEN.get(0).env()).tokenFile()).doesNotExist();
        assertThatThrownBy(IrsaPerClass.irsa::environment).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void podIdentityInAStaticFieldServesTheClassAndIsClosedAfterIt() throws Exception {
        run(PodIdentityPerClass.class, 3);
        assertThat(SEEN.get(1).env()).isSameAs(SEEN.get(0).env());
        assertRefused(SEEN.get(0).endpoint());
        assertThat(((PodIdentityEnvironment) SEEN.get(0).env()).tokenFile()).doesNotExist();
        assertThatThrownBy(PodIdentityPerClass.podIdentity::environment).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void irsaInAnInstanceFieldGivesEachTestItsOwnClosedAfterIt() throws Exception {
        run(IrsaPerTest.class, 2);
        assertThat(SEEN.get(1).env()).isNotSameAs(SEEN.get(0).env());
        assertRefused(SEEN.get(1).endpoint());
    }

    @Test
    void podIdentityInAnInstanceFieldGivesEachTestItsOwnClosedAfterIt() throws Exception {
        run(PodIdentityPerTest.class, 2);
        assertThat(SEEN.get(1).env()).isNotSameAs(SEEN.get(0).env());
        assertRefused(SEEN.get(1).endpoint());
    }

    @Test
    void irsaInAStaticFieldServesTheNestedClassesTooAndIsClosedOnceAfterTheOuterClass() {
        run(IrsaPerClassNested.class, 2);
        assertThat(STARTS).hasValue(1);
        assertRefused(SEEN.get(0).endpoint());
        assertThat(((IrsaEnvironment) SEEN.get(0).env()).tokenFile()).doesNotExist();
        assertThatThrownBy(IrsaPerClassNested.irsa::environment).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void podIdentityInAStaticFieldServesTheNestedClassesTooAndIsClosedOnceAfterTheOuterClass() {
        run(PodIdentityPerClassNested.class, 2);
        assertThat(STARTS).hasValue(1);
        assertRefused(SEEN.get(0).endpoint());
        assertThat(((PodIdentityEnvironment) SEEN.get(0).env()).tokenFile()).doesNotExist();
        assertThatThrownBy(PodIdentityPerClassNested.podIdentity::environment)
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void irsaInAnInstanceFieldGivesEachNestedTestItsOwnClosedAfterIt() {
        run(IrsaPerTestNested.class, 3, 3);
        assertThat(STARTS).hasValue(3);
        assertRefused(SEEN.get(2).endpoint());
    }

    @Test
    void podIdentityInAnInstanceFieldGivesEachNestedTestItsOwnClosedAfterIt() {
        run(PodIdentityPerTestNested.class, 3, 3);
        assertThat(STARTS).hasValue(3);
        assertRefused(SEEN.get(2).endpoint());
    }

    @Test
    void outsideARunTheEnvironmentIsRefusedSayingWhy() {
        assertThatThrownBy(() -> IrsaEmulatorExtension.create().environment()).isInstanceOf(IllegalStateException.class)
                .hasMessage("The IRSA environment runs only while a test of this class runs");
        assertThatThrownBy(() -> PodIdentityEmulatorExtension.create().tokenFile())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("The Pod Identity environment runs only while a test of this class runs");
    }

    static void assertRefused(URI endpoint) {
        ClassRun.assertRefused(endpoint.getHost(), endpoint.getPort());
    }
}
