package dev.irsa.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A projected-volume directory laid out exactly as the kubelet's atomic writer lays it out:
 *
 * <pre>
 * dir/..2026_11_29_08_00_00.123456789/token   the payload, in a timestamped directory
 * dir/..data -> ..2026_11_29_08_00_00.123456789
 * dir/token  -> ..data/token
 * </pre>
 *
 * A write creates a new timestamped directory, points {@code ..data_tmp} at it, renames
 * {@code ..data_tmp} over {@code ..data} (atomic), then removes the old directory. Readers that open
 * {@link #tokenFile()} always see a whole token. Thread-safe (writes are serialised).
 * @since 0.1.0
 */
public final class ProjectedTokenVolume implements AutoCloseable {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("'..'yyyy_MM_dd_HH_mm_ss.");

    private final Path dir;
    private final Clock clock;
    private final boolean ownsDirectory;
    private int writes;

    private ProjectedTokenVolume(Path dir, Clock clock, boolean ownsDirectory) {
        this.dir = dir;
        this.clock = clock;
        this.ownsDirectory = ownsDirectory;
    }

    /**
     * A volume in the given (created if absent) directory.
     *
     * @param dir the directory
     * @return the volume; {@link #close()} leaves the directory in place
     * @throws java.io.UncheckedIOException if the directory cannot be created
     */
    public static ProjectedTokenVolume at(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ProjectedTokenVolume(dir, Clock.systemUTC(), false);
    }

    /**
     * A volume in a new temporary directory, deleted by {@link #close()}.
     *
     * @return the volume
     */
    public static ProjectedTokenVolume inTempDirectory() {
        try {
            return new ProjectedTokenVolume(Files.createTempDirectory("irsa-token-"), Clock.systemUTC(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The path a pod reads ({@code AWS_WEB_IDENTITY_TOKEN_FILE}): {@code dir/token}.
     *
     * @return the token file's path
     */
    public Path tokenFile() {
        return dir.resolve("token");
    }

    /** {@return the volume's directory} */
    public Path directory() {
        return dir;
    }

    /**
     * Lays down (or rotates to) this token with the kubelet's atomic swap.
     *
     * @param token the token
     */
    public synchronized void write(String token) {
        try {
            Path data = dir.resolve("..data");
            Path old = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
            Path tsDir = dir.resolve(timestampedName());
            Files.createDirectory(tsDir);
            Path payload = tsDir.resolve("token");
            Files.writeString(payload, token);
            trySetMode(payload, "rw-r--r--");
            Path tmp = dir.resolve("..data_tmp");
            Files.deleteIfExists(tmp);
            Files.createSymbolicLink(tmp, tsDir.getFileName());
            try {
                Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IllegalStateException("The file system cannot rename atomically: " + dir, e);
            }
            Path link = tokenFile();
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, Path.of("..data", "token"));
            }
            if (old != null && !old.equals(tsDir)) {
                deleteRecursively(old);
            }
            writes++;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the projected token under " + dir, e);
        }
    }

    /**
     * How many tokens were written (the first write and every rotation).
     *
     * @return the number of writes
     */
    public synchronized int writes() {
        return writes;
    }

    @Override
    public synchronized void close() {
        if (ownsDirectory) {
            try {
                deleteRecursively(dir);
            } catch (IOException ignored) {
                // best effort: a temp directory
            }
        }
    }

    private String timestampedName() {
        LocalDateTime now = LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        String name = STAMP.format(now) + String.format("%09d", now.getNano());
        // Two writes in the same nanosecond tick would collide; the kubelet's writer uses a random suffix too.
        while (Files.exists(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
            name = name + "0";
        }
        return name;
    }

    private static void trySetMode(Path p, String mode) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        } catch (UnsupportedOperationException | IOException ignored) {
            // not a POSIX file system: the mode is cosmetic here
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
