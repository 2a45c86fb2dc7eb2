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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Both emulator extensions' lifecycle, observed from outside a real JUnit run of a class that registers them (what a
 * class's own tests cannot see: what happens after its last test): in a static field one environment serves the
 * class, renewed (call log cleared, fresh token) before each test and closed after the class; in an instance field
 * each test gets its own, closed after it; test methods receive it as a parameter; outside a run it is refused.
 * Registered on a class, an extension serves its {@code @Nested} classes as JUnit's semantics say: a static field's one
 * environment serves them too (renewed before each of their tests) and is closed once, after the enclosing class; an
 * instance field's gives each of their tests one of its own. Under {@code @TestInstance(PER_CLASS)} an instance field
 * serves the class as a static one does (JUnit gives it before-all). A static field that several classes inherit and
 * that run at the same time gives each class its own environment, and its accessors never answer another class's.
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

    /**
     * Under {@code PER_CLASS} JUnit creates one test instance, so one extension, and calls its before-all: one
     * environment serves the class (a {@code @BeforeAll} method may take it), renewed before each test, closed after
     * the class, as in a static field.
     */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    static class IrsaPerClassInstanceField extends Scenario {
        @RegisterExtension
        final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.with(b -> STARTS.incrementAndGet());

        @BeforeAll
        void beforeAll(IrsaEnvironment env) {
            assertThat(env).isSameAs(irsa.environment());
        }

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

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    static class PodIdentityPerClassInstanceField extends Scenario {
        @RegisterExtension
        final PodIdentityEmulatorExtension podIdentity = PodIdentityEmulatorExtension.with(b -> STARTS.incrementAndGet());

        @BeforeAll
        void beforeAll(PodIdentityEnvironment env) {
            assertThat(env).isSameAs(podIdentity.environment());
        }

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

    /** Created under {@code PER_CLASS} before the class's before-all callbacks run: before the environment starts. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    static class IrsaBeforeItStarts {
        @RegisterExtension
        static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

        IrsaBeforeItStarts(IrsaEnvironment env) {
        }

        @Test
        void test() {
        }
    }

    /** Where the tests of two classes run at the same time are: each waits for the other at both points. */
    record Phases(CountDownLatch bothRunning, CountDownLatch bothAsked) {
        static Phases of() {
            return new Phases(new CountDownLatch(2), new CountDownLatch(2));
        }
    }

    static volatile Phases phases;

    /** One static extension, inherited by two classes run at the same time. */
    abstract static class SharedIrsa {
        @RegisterExtension
        static final IrsaEmulatorExtension irsa = IrsaEmulatorExtension.create();

        @Test
        void asks(IrsaEnvironment env) throws Exception {
            SEEN.add(irsa(env));
            boolean last = this instanceof SharedIrsaTwo;
            askWhileAnotherRuns(env, irsa::environment, "IrsaEnvironment", last);
            if (last) {
                assertThat(irsa.tokenFile()).isEqualTo(env.tokenFile()); // the other accessors ask the same
            }
        }
    }

    static class SharedIrsaOne extends SharedIrsa {
    }

    static class SharedIrsaTwo extends SharedIrsa {
    }

    abstract static class SharedPodIdentity {
        @RegisterExtension
        static final PodIdentityEmulatorExtension podIdentity = PodIdentityEmulatorExtension.create();

        @Test
        void asks(PodIdentityEnvironment env) throws Exception {
            SEEN.add(podIdentity(env));
            boolean last = this instanceof SharedPodIdentityTwo;
            askWhileAnotherRuns(env, podIdentity::environment, "PodIdentityEnvironment", last);
            if (last) {
                assertThat(podIdentity.agentEndpoint()).isEqualTo(env.agentEndpoint());
            }
        }
    }

    static class SharedPodIdentityOne extends SharedPodIdentity {
    }

    static class SharedPodIdentityTwo extends SharedPodIdentity {
    }

    /**
     * The test of each of two classes that share a static extension: asked while both classes' environments run, the
     * accessor refuses, saying to take the environment as a parameter; then the first class ends, and once its
     * environment is closed the second's accessor answers the second's own. It never answers the other's.
     */
    static void askWhileAnotherRuns(Object own, Supplier<Object> accessor, String type, boolean last)
            throws InterruptedException {
        Phases p = phases;
        try {
            p.bothRunning().countDown();
            assertThat(p.bothRunning().await(30, TimeUnit.SECONDS)).as("the other class runs").isTrue();
            assertThat(ask(own, accessor, type)).as("answered while two environments run").isNull();
        } finally {
            p.bothAsked().countDown();
        }
        assertThat(p.bothAsked().await(30, TimeUnit.SECONDS)).as("the other class asked").isTrue();
        if (!last) {
            return; // its class ends: its environment closes
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // until the first class's environment is closed, which JUnit does after that class
        while (ask(own, accessor, type) == null) {
            assertThat(System.nanoTime() - deadline).as("the first class's environment closed").isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** The accessor's answer, which must be the caller's own, or null if it refused saying what to do instead. */
    private static Object ask(Object own, Supplier<Object> accessor, String type) {
        Object answer;
        try {
            answer = accessor.get();
        } catch (IllegalStateException e) {
            assertThat(e).hasMessageContaining("take the " + type + " as a parameter");
            return null;
        }
        assertThat(answer).as("the accessor answered another class's environment").isSameAs(own);
        return answer;
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
    void irsaInAnInstanceFieldUnderPerClassServesTheClassAndIsClosedAfterIt() {
        run(IrsaPerClassInstanceField.class, 3);
        assertThat(STARTS).hasValue(1);
        assertThat(SEEN.get(1).env()).isSameAs(SEEN.get(0).env());
        assertRefused(SEEN.get(0).endpoint());
        assertThat(((IrsaEnvironment) SEEN.get(0).env()).tokenFile()).doesNotExist();
    }

    @Test
    void podIdentityInAnInstanceFieldUnderPerClassServesTheClassAndIsClosedAfterIt() {
        run(PodIdentityPerClassInstanceField.class, 3);
        assertThat(STARTS).hasValue(1);
        assertThat(SEEN.get(1).env()).isSameAs(SEEN.get(0).env());
        assertRefused(SEEN.get(0).endpoint());
        assertThat(((PodIdentityEnvironment) SEEN.get(0).env()).tokenFile()).doesNotExist();
    }

    @Test
    void aStaticIrsaExtensionSharedByClassesRunAtOnceNeverAnswersAnotherClasssEnvironment() {
        runConcurrently(SharedIrsaOne.class, SharedIrsaTwo.class);
        assertThatThrownBy(SharedIrsa.irsa::environment).isInstanceOf(IllegalStateException.class)
                .hasMessage("The IRSA environment runs only while a test of this class runs");
    }

    @Test
    void aStaticPodIdentityExtensionSharedByClassesRunAtOnceNeverAnswersAnotherClasssEnvironment() {
        runConcurrently(SharedPodIdentityOne.class, SharedPodIdentityTwo.class);
        assertThatThrownBy(SharedPodIdentity.podIdentity::environment).isInstanceOf(IllegalStateException.class)
                .hasMessage("The Pod Identity environment runs only while a test of this class runs");
    }

    private static void runConcurrently(Class<?> one, Class<?> two) {
        SEEN.clear();
        phases = Phases.of();
        ClassRun.assertSucceedConcurrently(2, one, two);
        assertThat(SEEN).hasSize(2);
        assertThat(SEEN.get(1).env()).isNotSameAs(SEEN.get(0).env());
    }

    @Test
    void askedForInAPerClassConstructorTheEnvironmentIsRefusedSayingWhatToDo() {
        assertThat(ClassRun.failuresOf(IrsaBeforeItStarts.class)).singleElement().asString()
                .contains("ParameterResolutionException: No IrsaEnvironment runs yet for"
                        + " EmulatorExtensionLifecycleTest$IrsaBeforeItStarts: the IRSA environment starts in"
                        + " IrsaEmulatorExtension's before-all (static field; instance field under"
                        + " @TestInstance(PER_CLASS)) or before-each (instance field), and JUnit creates a PER_CLASS"
                        + " test instance (its constructor, TestInstancePostProcessor extensions) before either: take the"
                        + " IrsaEnvironment as a parameter of a test, @BeforeEach or @BeforeAll method instead");
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
