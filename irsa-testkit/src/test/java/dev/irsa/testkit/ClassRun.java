package dev.irsa.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.net.ConnectException;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * Runs a test class with JUnit's own engine, as a build would, so that a test can look at what an extension did
 * around that class's tests (what it closed after the last one).
 */
public final class ClassRun {
    private ClassRun() {
    }

    /**
     * Runs {@code testClass} and asserts that its {@code tests} tests ran and all of it succeeded.
     *
     * @param testClass the class to run
     * @param tests how many tests it has
     */
    public static void assertSucceeds(Class<?> testClass, int tests) {
        EngineExecutionResults results = run(testClass);
        assertThat(failures(results)).isEmpty();
        results.testEvents().assertStatistics(s -> s.started(tests).succeeded(tests));
    }

    /**
     * Runs {@code testClasses} at the same time, as a build with JUnit's parallel execution of classes does (each
     * class's methods in one thread), and asserts that their {@code tests} tests ran and all of it succeeded.
     *
     * @param tests how many tests the classes have together
     * @param testClasses the classes to run
     */
    public static void assertSucceedConcurrently(int tests, Class<?>... testClasses) {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.mode.default", "same_thread")
                .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
                // a thread per class at least: their tests wait for each other
                .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism",
                        String.valueOf(testClasses.length + 1))
                .selectors(Arrays.stream(testClasses).map(DiscoverySelectors::selectClass)
                        .toArray(DiscoverySelector[]::new))
                .execute();
        assertThat(failures(results)).isEmpty();
        results.testEvents().assertStatistics(s -> s.started(tests).succeeded(tests));
    }

    /**
     * Runs {@code testClass} and returns what failed in it (test or container), as {@code Throwable.toString()}.
     *
     * @param testClass the class to run
     * @return the failures
     */
    public static List<String> failuresOf(Class<?> testClass) {
        return failures(run(testClass));
    }

    /**
     * Asserts that nothing listens at {@code host:port} any more.
     *
     * @param host the host
     * @param port the port
     */
    public static void assertRefused(String host, int port) {
        assertThatThrownBy(() -> new Socket(host, port).close()).as("%s:%d still listens", host, port)
                .isInstanceOf(ConnectException.class);
    }

    private static EngineExecutionResults run(Class<?> testClass) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute();
    }

    private static List<String> failures(EngineExecutionResults results) {
        return results.allEvents().failed().stream().map(e -> e.getRequiredPayload(TestExecutionResult.class).getThrowable()
                .map(Throwable::toString).orElse(e.toString())).toList();
    }
}
