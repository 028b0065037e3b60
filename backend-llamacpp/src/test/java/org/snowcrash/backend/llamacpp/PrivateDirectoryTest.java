package org.snowcrash.backend.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native library is only ever loaded from a folder this user alone can have made. */
class PrivateDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void missingFoldersAreMadeOwnerOnly() throws IOException {
        Path made = PrivateDirectory.ensure(dir.resolve("cache/snowcrash/native"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(made)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(made.getParent())));
    }

    @Test
    void aLinkIsRefused() throws IOException {
        Path target = Files.createDirectory(dir.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(dir.resolve("native"), target);
        IOException e = assertThrows(IOException.class, () -> PrivateDirectory.ensure(link));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }

    @Test
    void aFolderOthersCanWriteToIsRefused() throws IOException {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e = assertThrows(IOException.class, () -> PrivateDirectory.ensure(open));
        assertTrue(e.getMessage().contains("writable by other users"), e.getMessage());
    }

    @Test
    void aFolderOfAnotherUserIsRefused() throws Exception {
        // Only root can give a folder away; as the unprivileged test account, / (owned by root) stands in.
        if (!System.getProperty("user.name").equals("root")) {
            IOException e = assertThrows(IOException.class, () -> PrivateDirectory.check(Path.of("/")));
            assertTrue(e.getMessage().contains("belongs to uid 0"), e.getMessage());
        } else {
            Path theirs = Files.createDirectory(dir.resolve("theirs"));
            Files.setAttribute(theirs, "unix:uid", 65534);
            IOException e2 = assertThrows(IOException.class, () -> PrivateDirectory.check(theirs));
            assertTrue(e2.getMessage().contains("belongs to uid 65534"), e2.getMessage());
        }
    }

    @Test
    void theOldPredictableTempPathIsNeverLoadedFrom() throws Exception {
        // The old path, made first by somebody else: with a planted "library" in it.
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        String user = System.getProperty("user.name");
        Path old = Files.createDirectory(tmp.resolve("snowcrash-jllama-" + user));
        Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path planted = Files.writeString(old.resolve("libjllama.so"), "not a library", StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                NativeLibraryProbe.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertTrue(out.contains("available=true"), out);
        // It loaded from the user's own cache folder, and the planted folder is as it was.
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path expected = (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("snowcrash").resolve("native");
        assertTrue(out.contains("dir=" + expected), out);
        try (Stream<Path> s = Files.list(old)) {
            assertEquals(List.of(planted), s.toList());
        }
        assertEquals("not a library", Files.readString(planted));
    }
}
