package dev.irsa.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.irsa.testkit.OidcIssuer;
import dev.irsa.testkit.ProjectedTokenVolume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
    @TempDir
    Path dir;

    @Test
    void readsAfreshEachTimeThroughTheKubeletSymlinks() {
        ProjectedTokenVolume v = ProjectedTokenVolume.at(dir);
        TokenFile f = new TokenFile(v.tokenFile(), Duration.ofMillis(200));
        v.write("first.token.value");
        assertThat(f.read()).isEqualTo("first.token.value");
        v.write("second.token.value\n");
        assertThat(f.read()).isEqualTo("second.token.value");
    }

    @Test
    void missingFileExplainsWhatToCheckAfterRetrying() {
        TokenFile f = new TokenFile(dir.resolve("token"), Duration.ofMillis(200));
        long t0 = System.nanoTime();
        assertThatThrownBy(f::read).isInstanceOfSatisfying(IrsaException.class, e -> {
            assertThat(e.kind()).isEqualTo(IrsaException.Kind.TOKEN);
            assertThat(e.getMessage()).contains("does not exist").contains("AWS_WEB_IDENTITY_TOKEN_FILE")
                    .contains("eks.amazonaws.com/role-arn");
        });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void aFileThatAppearsDuringTheRetryWindowIsRead() throws Exception {
        Path p = dir.resolve("token");
        // A 10-s window for a writer due after 150 ms: a loaded machine may start it late; a file never read still
        // fails, only later.
        TokenFile f = new TokenFile(p, Duration.ofSeconds(10));
        Thread writer = new Thread(() -> {
            try {
                Thread.sleep(150);
                Files.writeString(p, "late.token.value");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        assertThat(f.read()).isEqualTo("late.token.value");
        writer.join();
    }

    @Test
    void emptyAndOversizedFiles() throws Exception {
        Path p = dir.resolve("token");
        Files.writeString(p, "  \n");
        assertThatThrownBy(() -> new TokenFile(p, Duration.ofMillis(100)).read()).hasMessageContaining("is empty");
        Files.writeString(p, "a".repeat(20_001));
        assertThatThrownBy(() -> new TokenFile(p, Duration.ZERO).read()).hasMessageContaining("larger than 20000");
    }

    @Test
    void decodesClaimsWithoutVerifying() {
        try (OidcIssuer issuer = OidcIssuer.start()) {
            String jwt = issuer.token("payments", "api").audience("sts.amazonaws.com", "other").lifetime(Duration.ofHours(1)).sign();
            WebIdentityToken t = WebIdentityToken.decode(jwt, "test");
            assertThat(t.issuer()).isEqualTo(issuer.issuer().toString());
            assertThat(t.subject()).isEqualTo("system:serviceaccount:payments:api");
            assertThat(t.namespace()).isEqualTo("payments");
            assertThat(t.serviceAccount()).isEqualTo("api");
            assertThat(t.audiences()).containsExactly("sts.amazonaws.com", "other");
            assertThat(t.hasStsAudience()).isTrue();
            assertThat(t.expiresAt()).isAfter(Instant.now().plus(Duration.ofMinutes(59)));
            assertThat(t.issuerHostAndPath()).contains(issuer.hostAndPath());
            assertThat(t.toString()).doesNotContain(jwt.split("\\.")[2]);
        }
    }

    @Test
    void notAJwtIsExplained() {
        assertThatThrownBy(() -> WebIdentityToken.decode("hello", "/x/token")).isInstanceOfSatisfying(IrsaException.class, e -> {
            assertThat(e.kind()).isEqualTo(IrsaException.Kind.TOKEN);
            assertThat(e.getMessage()).contains("/x/token").contains("not a JWT");
        });
        assertThatThrownBy(() -> WebIdentityToken.decode("a.!!!.c", "f")).hasMessageContaining("not a JWT");
        assertThatThrownBy(() -> WebIdentityToken.decode("a.WzFd.c", "f")).hasMessageContaining("not a JSON object");
    }

    @Test
    void aDirectoryInsteadOfAFileSaysSo() throws Exception {
        Path d = Files.createDirectory(dir.resolve("serviceaccount"));
        assertThatThrownBy(() -> new TokenFile(d, Duration.ZERO).read()).isInstanceOfSatisfying(IrsaException.class, e -> {
            assertThat(e.kind()).isEqualTo(IrsaException.Kind.TOKEN);
            assertThat(e.getMessage()).contains(d.toString()).contains("is a directory")
                    .contains("AWS_WEB_IDENTITY_TOKEN_FILE").contains("/token");
        });
    }

    @Test
    void aPathThroughAFileGivesTheSystemsReason() throws Exception {
        Path notADir = Files.writeString(dir.resolve("serviceaccount"), "x");
        Path p = notADir.resolve("token");
        assertThatThrownBy(() -> new TokenFile(p, Duration.ZERO).read()).isInstanceOfSatisfying(IrsaException.class, e -> {
            assertThat(e.kind()).isEqualTo(IrsaException.Kind.TOKEN);
            assertThat(e.getMessage()).contains(p.toString()).contains("Not a directory")
                    .contains("AWS_WEB_IDENTITY_TOKEN_FILE").doesNotContain(": FileSystemException.");
        });
    }

    @Test
    void anUnreadableFileSaysPermissionDenied() throws Exception {
        Path p = Files.writeString(dir.resolve("token"), "a.b.c");
        Files.setPosixFilePermissions(p, java.util.Set.of());
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(p), "running as root: every file is readable");
        assertThatThrownBy(() -> new TokenFile(p, Duration.ZERO).read()).isInstanceOfSatisfying(IrsaException.class, e ->
                assertThat(e.getMessage()).contains("permission denied").contains("fsGroup"));
    }
}
