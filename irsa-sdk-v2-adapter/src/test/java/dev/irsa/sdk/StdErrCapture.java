package dev.irsa.sdk;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What is written to {@code System.err} while a piece of code runs: slf4j-simple, these tests' logger, writes there
 * and looks the stream up on every line.
 */
final class StdErrCapture {
    private StdErrCapture() {
    }

    static synchronized String during(Runnable code) {
        PrintStream original = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            code.run();
        } finally {
            System.setErr(original);
        }
        String captured = out.toString(StandardCharsets.UTF_8);
        original.print(captured); // still shown in the test's output
        return captured;
    }
}
