package dev.irsa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code irsa --help} and each command's help, as a person reads them in an 80-column terminal. */
class HelpTest {
    private static final int WIDTH = 80;

    @Test
    void theCommandListGivesEachCommandAWholeSummary() {
        Cli r = Cli.run(Map.of(), "--help");
        assertThat(r.code()).isZero();
        List<String> lines = Arrays.asList(r.out().split("\n"));
        for (String command : List.of("demo", "doctor", "trust-policy")) {
            String line = lines.stream().filter(l -> l.matches("\\s+" + command + "\\s+\\S.*")).findFirst()
                    .orElseThrow(() -> new AssertionError(command + " not listed:\n" + r.out()));
            assertThat(line.strip()).as("the summary of %s is one whole sentence:%n%s", command, r.out()).endsWith(".");
        }
        assertThat(lines).as(r.out()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(WIDTH));
    }

    @Test
    void eachCommandsDescriptionIsWrappedByWordsNotByFixedLines() {
        for (String command : List.of("demo", "doctor", "trust-policy")) {
            Cli r = Cli.run(Map.of(), command, "--help");
            assertThat(r.code()).isZero();
            String[] lines = r.out().split("\n");
            for (int i = 0; i + 1 < lines.length; i++) {
                // A line broken short (the next line's first word would have fitted) is a hard-coded line break
                // wrapped again by the help formatter: text that stops mid-sentence.
                String next = lines[i + 1].strip();
                boolean continuation = !next.isEmpty() && (Character.isLowerCase(next.charAt(0)) || next.startsWith("("));
                if (!continuation || lines[i].isBlank() || lines[i].startsWith("Usage:") || lines[i].strip().startsWith("-")) {
                    continue;
                }
                String firstWord = next.split(" ")[0];
                assertThat(lines[i].length() + 1 + firstWord.length()).as("%s --help, line %d broken short:%n%s",
                        command, i + 1, r.out()).isGreaterThan(WIDTH);
            }
            assertThat(Arrays.asList(lines)).as(r.out()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(WIDTH));
        }
    }
}
