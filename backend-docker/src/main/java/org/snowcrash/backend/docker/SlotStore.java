package org.snowcrash.backend.docker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.ChatMessage;

/**
 * One model's saved slot files in this process: which conversation each holds, the checksum it
 * was saved with, and the bound on the disk they take. It owns the file names (the server is
 * only ever given names this class made), picks the file a conversation resumes from, evicts the
 * least recently used files past the bound, and deletes files it does not know (a save cut short
 * by a crash). Lives as long as the process, across the model's containers.
 *
 * <p>A conversation is known by its messages: each message's digest, in order. A saved file holds
 * what the server had processed after a request; a later request whose messages begin with that
 * request's messages continues the conversation. The server itself compares tokens when it
 * reuses a restored cache, so a wrong guess here costs only time, never a wrong answer.
 */
final class SlotStore {

    private static final Logger LOG = LoggerFactory.getLogger(SlotStore.class);
    private static final Pattern SAFE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Map<Path, SlotStore> STORES = new ConcurrentHashMap<>();

    /**
     * A saved file.
     *
     * @param id       the conversation's id in this store
     * @param messages the digests of the messages of the request after which it was saved
     * @param file     its name in the model's folder
     * @param size     its size in bytes when saved
     * @param crc      its CRC-32C when saved
     */
    record Entry(long id, List<String> messages, String file, long size, long crc) {
        Entry {
            messages = List.copyOf(messages);
        }
    }

    /** A file to restore and how much of the request it covers (in messages). */
    record Match(Entry entry, int common) {
    }

    private final Path dir;
    private final long maxBytes;
    private final Map<Long, Entry> entries = new LinkedHashMap<>(16, 0.75f, true); // access order: LRU first
    private final Set<String> pending = new HashSet<>();
    private final AtomicLong next = new AtomicLong();

    private SlotStore(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
    }

    /** The store of the model whose server saves into {@code dir}: one per folder in this process. */
    static SlotStore of(Path dir, long maxBytes) {
        return STORES.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> new SlotStore(d, maxBytes));
    }

    /** Forgets the stores of folders under {@code root} (deleted with it). */
    static void forgetUnder(Path root) {
        Path r = root.toAbsolutePath().normalize();
        STORES.keySet().removeIf(p -> p.startsWith(r));
    }

    /** A model id as a folder name: itself when plain, else a digest. */
    static String safeName(String modelId) {
        return SAFE.matcher(modelId).matches() ? modelId : "m-" + digest(modelId).substring(0, 16);
    }

    Path dir() {
        return dir;
    }

    /** Each message's digest, in order: what a conversation is known by. */
    static List<String> digests(List<ChatMessage> messages) {
        List<String> out = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            out.add(digest(m.role() + "\u0000" + m.content() + "\u0000" + m.toolCalls() + "\u0000" + m.toolCallId()));
        }
        return out;
    }

    /**
     * The file sharing the longest beginning with these messages (at least one message), most
     * recently used first among equals.
     */
    synchronized Optional<Match> best(List<String> messages) {
        Match best = null;
        for (Entry e : entries.values()) {
            int common = commonPrefix(e.messages(), messages);
            if (common > 0 && (best == null || common >= best.common())) {
                best = new Match(e, common);
            }
        }
        if (best != null) {
            entries.get(best.entry().id()); // touch: recently used
        }
        return Optional.ofNullable(best);
    }

    /** The conversation these messages continue (an earlier request's messages are their beginning), if saved. */
    synchronized Optional<Entry> continued(List<String> messages) {
        return entries.values().stream()
                .filter(e -> commonPrefix(e.messages(), messages) == e.messages().size())
                .max(Comparator.comparingInt(e -> e.messages().size()));
    }

    /** A new file name for a save; the file is not the store's until {@link #saved} says so. */
    synchronized String newFile() {
        String name = "slot-" + next.incrementAndGet() + ".bin";
        pending.add(name);
        return name;
    }

    /**
     * Records a save that the server finished: the file becomes the conversation's (replacing its
     * older file, which is deleted), then the bound is enforced.
     *
     * @param previous the conversation it continues, if any
     */
    synchronized Optional<Entry> saved(Optional<Entry> previous, List<String> messages, String file) {
        pending.remove(file);
        Path p = dir.resolve(file);
        Entry e;
        try {
            e = new Entry(previous.map(Entry::id).orElseGet(next::incrementAndGet), messages, file, Files.size(p), crc(p));
        } catch (IOException ex) {
            LOG.debug("slot file {} cannot be read after its save: {}", p, ex.toString());
            delete(file);
            return Optional.empty();
        }
        if (e.size() > maxBytes) {
            // Keeping it would evict every other conversation and then itself.
            LOG.info("a prompt cache of {} bytes is larger than {}slot-cache-size ({} bytes): not kept",
                    e.size(), DockerSettings.PREFIX, maxBytes);
            delete(file);
            previous.ifPresent(this::forget);
            return Optional.empty();
        }
        previous.ifPresent(old -> {
            Entry current = entries.remove(old.id());
            if (current != null && !current.file().equals(file)) {
                delete(current.file());
            }
        });
        entries.put(e.id(), e);
        enforceBound();
        return Optional.ofNullable(entries.get(e.id()));
    }

    /** A save that failed: its file, if any part was written, is deleted. */
    synchronized void failed(String file) {
        pending.remove(file);
        delete(file);
    }

    /**
     * Whether the file is exactly as saved (size and CRC-32C): a truncated or overwritten file would
     * otherwise be restored by the server as long as its header is intact. A damaged one is forgotten and deleted.
     */
    boolean intact(Entry e) {
        Path p = dir.resolve(e.file());
        boolean ok;
        try {
            ok = Files.size(p) == e.size() && crc(p) == e.crc();
        } catch (IOException ex) {
            ok = false;
        }
        if (!ok) {
            forget(e);
        }
        return ok;
    }

    /** Drops an entry and deletes its file (a file the server would not restore, or a damaged one). */
    synchronized void forget(Entry e) {
        if (entries.remove(e.id(), e) || entries.values().stream().noneMatch(x -> x.file().equals(e.file()))) {
            delete(e.file());
        }
    }

    /** The bytes the files take now, as saved. */
    synchronized long bytes() {
        return entries.values().stream().mapToLong(Entry::size).sum();
    }

    synchronized List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    /** Least recently used first until the files fit; files nobody knows (cut-short saves) go too. */
    private void enforceBound() {
        long total = bytes();
        var it = entries.values().iterator();
        while (total > maxBytes && it.hasNext()) {
            Entry e = it.next();
            it.remove();
            total -= e.size();
            delete(e.file());
            LOG.debug("slot cache over its bound of {} bytes: evicted {} ({} bytes)", maxBytes, e.file(), e.size());
        }
        Set<String> known = new HashSet<>(pending);
        entries.values().forEach(e -> known.add(e.file()));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (!known.contains(f.getFileName().toString())) {
                    delete(f.getFileName().toString());
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot list {}: {}", dir, e.toString());
        }
    }

    private void delete(String file) {
        try {
            Files.deleteIfExists(dir.resolve(file));
        } catch (IOException e) {
            LOG.warn("cannot delete the slot file {}: {}", dir.resolve(file), e.toString());
        }
    }

    static long crc(Path p) throws IOException {
        CRC32C c = new CRC32C();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(p)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                c.update(buf, 0, n);
            }
        }
        return c.getValue();
    }

    private static int commonPrefix(List<String> a, List<String> b) {
        int n = 0;
        while (n < a.size() && n < b.size() && a.get(n).equals(b.get(n))) {
            n++;
        }
        return n;
    }

    static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
