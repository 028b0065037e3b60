package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.Settings;

/**
 * The slot store's bookkeeping on real files, without a server: which file a conversation resumes
 * from, the disk bound (least recently used first), damaged files, files nobody knows, and the
 * process folder's life (swept when its process is gone, deleted at exit).
 */
class SlotStoreTest {

    @TempDir
    Path dir;

    private static List<ChatMessage> conversation(String... texts) {
        List<ChatMessage> m = new java.util.ArrayList<>();
        m.add(ChatMessage.system("be brief"));
        for (int i = 0; i < texts.length; i++) {
            m.add(i % 2 == 0 ? ChatMessage.user(texts[i]) : ChatMessage.assistant(texts[i]));
        }
        return m;
    }

    /** What the server does on a save: writes the file the store named. */
    private static SlotStore.Entry save(SlotStore store, List<ChatMessage> messages, int bytes) throws IOException {
        List<String> d = SlotStore.digests(messages);
        String file = store.newFile();
        Files.write(store.dir().resolve(file), new byte[bytes]);
        return store.saved(store.continued(d), d, file).orElseThrow();
    }

    private Names names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new Names(s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    private record Names(List<String> files) {
    }

    @Test
    void aConversationResumesFromTheFileSavedAfterItsLastTurnAndEachConversationKeepsOneFile() throws IOException {
        SlotStore store = SlotStore.of(dir, 1 << 20);
        SlotStore.Entry a1 = save(store, conversation("hello", "hi", "what next"), 100);
        SlotStore.Entry a2 = save(store, conversation("hello", "hi", "what next", "wait", "and now"), 120);
        assertEquals(a1.id(), a2.id(), "the same conversation");
        assertEquals(List.of(a2.file()), names().files(), "its older file is deleted");
        SlotStore.Entry b = save(store, conversation("weather?", "sunny", "and tomorrow?"), 80);
        assertTrue(b.id() != a2.id());

        var next = SlotStore.digests(conversation("hello", "hi", "what next", "wait", "and now", "ok", "go"));
        assertEquals(a2, store.best(next).orElseThrow().entry());
        assertEquals(a2.messages().size(), store.best(next).orElseThrow().common(), "the whole saved request");
        // A new conversation shares only the system prompt: the most recently used file is the best there is.
        var other = SlotStore.digests(conversation("something else"));
        assertEquals(1, store.best(other).orElseThrow().common());
        assertEquals(Optional.empty(), store.continued(other));
        assertEquals(Optional.empty(), store.best(List.of("unrelated")));
    }

    @Test
    void theBoundEvictsTheLeastRecentlyUsedFilesFirst() throws IOException {
        SlotStore store = SlotStore.of(dir, 250);
        SlotStore.Entry a = save(store, conversation("a", "x", "a2"), 100);
        SlotStore.Entry b = save(store, conversation("b", "x", "b2"), 100);
        store.best(SlotStore.digests(conversation("a", "x", "a2", "y", "a3"))); // a used: b is now the oldest
        SlotStore.Entry c = save(store, conversation("c", "x", "c2"), 100);
        assertEquals(List.of(a.id(), c.id()), store.entries().stream().map(SlotStore.Entry::id).toList());
        assertEquals(new Names(List.of(a.file(), c.file()).stream().sorted().toList()), names());
        assertTrue(store.bytes() <= 250);
        assertFalse(Files.exists(dir.resolve(b.file())));
        // One file larger than the whole bound is not kept at all, and evicts nothing.
        List<String> d = SlotStore.digests(conversation("d", "x", "d2"));
        String file = store.newFile();
        Files.write(store.dir().resolve(file), new byte[300]);
        assertEquals(Optional.empty(), store.saved(Optional.empty(), d, file));
        assertEquals(List.of(a.id(), c.id()), store.entries().stream().map(SlotStore.Entry::id).toList());
        assertEquals(new Names(List.of(a.file(), c.file()).stream().sorted().toList()), names());
    }

    @Test
    void aDamagedOrMissingFileIsForgottenAndDeleted() throws IOException {
        SlotStore store = SlotStore.of(dir, 1 << 20);
        SlotStore.Entry a = save(store, conversation("a", "x", "a2"), 1000);
        assertTrue(store.intact(a));
        byte[] bytes = Files.readAllBytes(dir.resolve(a.file()));
        bytes[500] = 1; // same size, other content: only the checksum tells
        Files.write(dir.resolve(a.file()), bytes);
        assertFalse(store.intact(a));
        assertEquals(List.of(), store.entries());
        assertEquals(List.of(), names().files());

        SlotStore.Entry b = save(store, conversation("b", "x", "b2"), 1000);
        Files.write(dir.resolve(b.file()), new byte[10]); // truncated
        assertFalse(store.intact(b));
        SlotStore.Entry c = save(store, conversation("c", "x", "c2"), 1000);
        Files.delete(dir.resolve(c.file()));
        assertFalse(store.intact(c));
        assertEquals(List.of(), store.entries());
    }

    @Test
    void filesNobodyKnowsAreDeletedAtTheNextSaveButNotOnesBeingWritten() throws IOException {
        SlotStore store = SlotStore.of(dir, 1 << 20);
        Files.write(dir.resolve("slot-999.bin"), new byte[10]); // a save cut short by a crash
        String writing = store.newFile();
        Files.write(dir.resolve(writing), new byte[10]);
        SlotStore.Entry a = save(store, conversation("a", "x", "a2"), 10);
        assertEquals(new Names(List.of(a.file(), writing).stream().sorted().toList()), names());
        store.failed(writing);
        assertEquals(List.of(a.file()), names().files());
    }

    @Test
    void aProcessFolderIsSweptOnceItsOwnerIsGoneAndDeletedAtClose() throws IOException {
        Path base = dir.resolve("slots");
        // A folder whose owner ended without its hooks (SIGKILL): its lock file is there but unlocked.
        Path dead = Files.createDirectories(base.resolve("dead-owner"));
        Files.write(dead.resolve(".lock"), new byte[0]);
        Files.write(dead.resolve("slot-1.bin"), new byte[10]);
        // A folder being made right now by another process (no lock file yet) is left alone.
        Path making = Files.createDirectories(base.resolve("being-made"));
        // One whose owner never got as far as its lock, long ago, goes.
        Path old = Files.createDirectories(base.resolve("old-unlocked"));
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minusSeconds(3600)));
        // A live owner holds its lock: another process here, so the lock is taken by a child.
        Path live = Files.createDirectories(base.resolve("live-owner"));
        Process holder = holdLock(live.resolve(".lock"));
        try {
            SlotDirectory mine = SlotDirectory.open(base, "me").orElseThrow();
            assertFalse(Files.exists(dead));
            assertFalse(Files.exists(old));
            assertTrue(Files.exists(making));
            assertTrue(Files.exists(live));
            Path model = dir.resolve("m.gguf");
            Files.write(model, new byte[3]);
            Path md = mine.modelDir("demo", model);
            Files.write(md.resolve("slot-1.bin"), new byte[10]);
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(mine.path())));
            SlotDirectory.closeAll();
            assertFalse(Files.exists(mine.path()), "deleted at close, files and all");
            assertTrue(Files.exists(live));
        } finally {
            holder.destroy();
        }
    }

    /** A child JVM that locks the file and waits for its stdin to end (a live owner). */
    private static Process holdLock(Path lock) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path src = lock.resolveSibling("Hold.java");
        Files.writeString(src, "import java.nio.channels.*; import java.nio.file.*;"
                + " public class Hold { public static void main(String[] a) throws Exception {"
                + " FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);"
                + " c.lock(); System.out.println(\"locked\"); System.out.flush(); System.in.read(); } }");
        Process p = new ProcessBuilder(java.toString(), "-XX:-UsePerfData", src.toString(), lock.toString())
                .redirectErrorStream(true).start();
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
        assertEquals("locked", line, "the child holds the lock");
        Files.delete(src);
        return p;
    }

    @Test
    void theKeysAreReadAndCheckedWithTheOtherDockerKeys() {
        DockerSettings s = DockerSettings.from(Settings.of(Map.of("backend.docker.image", "x:1"), "test"),
                Map.of("HOME", "/home/robot"));
        assertTrue(s.slotCache().on());
        assertEquals(1L << 30, s.slotCache().maxBytes());
        assertEquals(Path.of("/home/robot/.cache/snowcrash/slots"), s.slotCache().dir());
        DockerSettings x = DockerSettings.from(Settings.of(Map.of("backend.docker.image", "x:1"), "test"),
                Map.of("HOME", "/home/robot", "XDG_CACHE_HOME", "/var/cache/robot"));
        assertEquals(Path.of("/var/cache/robot/snowcrash/slots"), x.slotCache().dir());
        var e = org.junit.jupiter.api.Assertions.assertThrows(org.snowcrash.api.ConfigurationException.class,
                () -> DockerSettings.from(Settings.of(Map.of("backend.docker.image", "x:1", "backend.docker.slot-cache", "maybe",
                        "backend.docker.slot-cache-size", "lots", "backend.docker.slot-cache-dir", "relative/dir"), "test"), Map.of()));
        assertTrue(e.getMessage().contains("backend.docker.slot-cache"), e.getMessage());
        assertTrue(e.getMessage().contains("backend.docker.slot-cache-size"), e.getMessage());
        assertTrue(e.getMessage().contains("backend.docker.slot-cache-dir"), e.getMessage());
    }

    @Test
    void theCacheAppliesOnlyWhereTheServerCanWriteTheCallersFolder() {
        DockerSettings local = DockerSettings.from(Settings.of(Map.of("backend.docker.image", "x:1"), "test"), Map.of());
        assertEquals(Optional.empty(), SlotMount.whyNot(local, 1, "1000:1000"));
        assertTrue(SlotMount.whyNot(local, 4, "1000:1000").orElseThrow().contains("4 slots"));
        assertTrue(SlotMount.whyNot(local, 1, "").isPresent());
        DockerSettings off = DockerSettings.from(Settings.of(Map.of("backend.docker.image", "x:1",
                "backend.docker.slot-cache", "false"), "test"), Map.of());
        assertTrue(SlotMount.whyNot(off, 1, "1000:1000").orElseThrow().contains("slot-cache is false"));
        DockerSettings other = DockerSettings.from(Settings.of(Map.of("backend.docker.image", "x:1",
                "backend.docker.user", "0:0"), "test"), Map.of());
        assertTrue(SlotMount.whyNot(other, 1, "1000:1000").orElseThrow().contains("0:0"));
        assertEquals(Optional.empty(), SlotMount.whyNot(other, 1, "0:0"));
        DockerSettings remote = DockerSettings.from(Settings.of(Map.of("backend.docker.image", "x:1",
                "backend.docker.host", "tcp://gpu1:2375", "backend.docker.bind-address", "0.0.0.0"), "test"), Map.of());
        assertTrue(SlotMount.whyNot(remote, 1, "1000:1000").orElseThrow().contains("another host"));
    }
    @Test
    void aModelWithTheCacheGetsOnlyItsOwnFolderMountedReadWriteAndTheFlag() throws IOException {
        Path file = dir.resolve("demo.gguf");
        Files.write(file, new byte[3]);
        org.snowcrash.api.ModelSpec spec = org.snowcrash.api.ModelSpec.builder("demo", file).build();
        DockerSettings s = DockerSettings.from(Settings.of(Map.of("backend.docker.image", "x:1",
                "backend.docker.slot-cache-dir", dir.resolve("slots").toString()), "test"), Map.of());
        try {
            SlotMount m = SlotMount.decide(s, spec).orElseThrow();
            ServerContainer.Plan p = m.apply(ServerContainer.plan(s, ContainerOptions.from(Settings.of(Map.of(), "test"),
                    "demo"), spec, List.of("llama-server"), "1000:1000", org.snowcrash.machine.GpuAccess.NONE));
            int at = p.cmd().indexOf("--slot-save-path");
            assertEquals("/slots/", p.cmd().get(at + 1));
            var binds = List.of(p.hostConfig().getBinds());
            assertEquals(2, binds.size(), binds.toString());
            var slots = binds.stream().filter(b -> b.getVolume().getPath().equals("/slots")).findFirst().orElseThrow();
            assertEquals(m.store().dir().toString(), slots.getPath());
            assertEquals(com.github.dockerjava.api.model.AccessMode.rw, slots.getAccessMode());
            assertTrue(m.store().dir().startsWith(dir.resolve("slots")), "under the configured folder");
            assertTrue(binds.stream().anyMatch(b -> b.getVolume().getPath().equals("/models")
                    && b.getAccessMode() == com.github.dockerjava.api.model.AccessMode.ro), "the models stay read-only");
        } finally {
            SlotDirectory.closeAll();
        }
    }
}
