package dev.irsa.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IrsaSession's initialiser installs SessionHolds' opener; under a SecurityManager (Java 17-23 with
 * {@code -Djava.security.manager=allow}) that must not need a permission an application's policy rarely grants, such
 * as {@code getStackWalkerWithClassReference}, or the class fails to initialise for the JVM's life. Run in a JVM of
 * its own, as the SecurityManager is process-wide.
 */
class SessionHoldsSecurityManagerTest {
    /**
     * What the forked JVM runs: installs a SecurityManager, as an application run with
     * {@code -Djava.security.manager=allow} does, then initialises IrsaSession and says how it went.
     */
    public static final class Main {
        @SuppressWarnings("removal") // the SecurityManager is what is tested
        public static void main(String[] args) {
            System.setSecurityManager(new SecurityManager());
            try {
                Class.forName("dev.irsa.core.IrsaSession");
                System.out.println("init ok");
            } catch (Throwable t) {
                System.out.println("init failed: " + t + " caused by " + t.getCause());
                System.exit(3);
            }
        }
    }

    @Test
    void irsaSessionInitialisesUnderASecurityManagerWithoutStackWalkerPermission(@TempDir Path dir) throws Exception {
        assumeFalse(Runtime.version().feature() >= 24, "this JDK cannot enable a SecurityManager (removed in Java 24)");
        Path policy = dir.resolve("app.policy");
        // an ordinary application's grants: reading, connecting, its threads; no getStackWalkerWithClassReference
        Files.writeString(policy, String.join("\n",
                "grant {",
                "  permission java.util.PropertyPermission \"*\", \"read\";",
                "  permission java.net.SocketPermission \"*\", \"connect,resolve\";",
                "  permission java.io.FilePermission \"<<ALL FILES>>\", \"read\";",
                "  permission java.lang.RuntimePermission \"getClassLoader\";",
                "  permission java.lang.RuntimePermission \"modifyThread\";",
                "};", ""));
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Djava.security.manager=allow",
                "-Djava.security.policy==" + policy, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()))
                .redirectErrorStream(true).start();
        String out;
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("forked JVM finished").isTrue();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
        assumeFalse(out.contains("Security Manager is not supported"), "this JDK refuses a SecurityManager: " + out);
        assertThat(out).contains("init ok");
        assertThat(p.exitValue()).as(out).isZero();
    }
}
