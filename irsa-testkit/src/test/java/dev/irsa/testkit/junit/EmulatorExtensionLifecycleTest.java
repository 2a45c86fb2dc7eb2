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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Both emulator extensions' lifecycle, observed from outside a real JUnit run of a class that registers them (what a
 * class's own tests cannot see: what happens after its last test): in a static field one environment serves the
 * class, renewed (call log cleared, fresh token) before each test and closed after the class; in an instance field
 * each test gets its own, closed after it; test methods receive it as a parameter; outside a run it is refused.
 */
class EmulatorExtensionLifecycleTest {
    /** What one test of a class run below saw. */
    record Seen(Object env, String token, URI endpoint, StsEmulator sts) {
    }

    static final List<Seen> SEEN = new CopyOnWriteArrayList<>();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The same tests for both extensions; a subclass registers one and says how to read its environment. */
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    abstract static class Scenario {
        abstract Seen seen() throws IOException;

        @Test
        @Order(1)
        void first() throws Exception {
            Seen seen = record();
            // a call the next test must not find in the log if it gets the same environment
            HTTP.send(HttpRequest.newBuilder(seen.sts().endpoint())
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("Action=GetCallerIdentity&Version=2011-06-15")).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(seen.sts().calls().all()).isNotEmpty();
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

    static Seen irsa(IrsaEnvironment env) throws IOException {
        return new Seen(env, Files.readString(env.tokenFile()), env.stsEndpoint(), env.sts());
    }

    static Seen podIdentity(PodIdentityEnvironment env) throws IOException {
        return new Seen(env, Files.readString(env.tokenFile()), env.agentEndpoint(), env.sts());
    }

    private static void run(Class<?> testClass, int tests) {
        SEEN.clear();
        ClassRun.assertSucceeds(testClass, tests);
        assertThat(SEEN).hasSize(2);
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
