package dev.irsa.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectedTokenVolumeTest {
    @TempDir
    Path dir;

    @Test
    void laysOutTheKubeletsAtomicWriterStructure() throws Exception {
        ProjectedTokenVolume v = ProjectedTokenVolume.at(dir);
        v.write("first");

        Path token = dir.resolve("token");
        assertThat(Files.isSymbolicLink(token)).isTrue();
        assertThat(Files.readSymbolicLink(token)).isEqualTo(Path.of("..data", "token"));
        Path data = dir.resolve("..data");
        assertThat(Files.isSymbolicLink(data)).isTrue();
        String target = Files.readSymbolicLink(data).toString();
        assertThat(target).matches("\\.\\.\\d{4}_\\d{2}_\\d{2}_\\d{2}_\\d{2}_\\d{2}\\.\\d{9}0*");
        assertThat(Files.readString(v.tokenFile())).isEqualTo("first");
        assertThat(Files.exists(dir.resolve("..data_tmp"))).isFalse();

        v.write("second");
        assertThat(Files.readString(v.tokenFile())).isEqualTo("second");
        assertThat(Files.readSymbolicLink(data).toString()).isNotEqualTo(target);
        assertThat(Files.exists(dir.resolve(target))).as("old payload directory removed").isFalse();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("..") && !n.equals("..data")).toList())
                    .hasSize(1);
        }
        assertThat(v.writes()).isEqualTo(2);
    }

    @Test
    void readersNeverSeeAPartialToken() throws Exception {
        ProjectedTokenVolume v = ProjectedTokenVolume.at(dir);
        String a = "a".repeat(5000);
        String b = "b".repeat(5000);
        v.write(a);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger torn = new AtomicInteger();
        AtomicInteger reads = new AtomicInteger();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                try {
                    String s = Files.readString(v.tokenFile());
                    reads.incrementAndGet();
                    if (!s.equals(a) && !s.equals(b)) {
                        torn.incrementAndGet();
                    }
                } catch (java.io.IOException e) {
                    // a reader racing the cleanup can briefly miss the file, as on a real node
                }
            }
        });
        reader.start();
        for (int i = 0; i < 300; i++) {
            v.write(i % 2 == 0 ? b : a);
        }
        stop.set(true);
        reader.join();
        assertThat(reads.get()).isPositive();
        assertThat(torn.get()).isZero();
        assertThat(List.of(a, b)).contains(Files.readString(v.tokenFile()));
    }
}
