package dev.irsa.examples.plain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.irsa.testkit.IrsaEnvironment;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the example's jar as a real process with a pod's environment pointing at the emulator. */
class WhoAmIIT {
    @Test
    void printsTheAssumedRole() throws Exception {
        try (IrsaEnvironment env = IrsaEnvironment.start()) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", new File("target/plain-java-example.jar").getAbsolutePath());
            pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
            pb.environment().putAll(env.podEnvironment());
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("account: 111122223333")
                    .contains("arn:     arn:aws:sts::111122223333:assumed-role/app-role/")
                    .contains("expires: ");
        }
    }
}
