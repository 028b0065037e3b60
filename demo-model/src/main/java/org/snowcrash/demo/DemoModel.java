package org.snowcrash.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.snowcrash.api.ToolSpec;

/**
 * The demo model: a tiny llama-architecture model trained on this project's own synthetic robot
 * dialogues ({@code training/train_demo.py}), shipped inside this jar, so a fresh machine talks to
 * a model that answers in English without downloading anything. It is copied into the models
 * folder on first use, checked against its committed sha256; a copy that does not match (left by
 * an earlier version, or damaged) is replaced.
 */
public final class DemoModel {

    /** What the command says about it. */
    public static final String NOTE = "the demo model is a tiny model trained on synthetic robot dialogues: "
            + "it knows greetings, what its camera sees (from the system prompt), counts, positions and small sums";

    /**
     * The system prompt the command gives the demo model when none is given: a scene described the
     * way the robot's detector output is put into the prompt, so "What do you see?" has an answer.
     */
    public static final String SCENE = "You are Snowcrash, a small robot. Your camera sees: a person on the left, two cups ahead.";

    /**
     * The robot's {@code move} tool as the demo model was trained on it (training/train_demo.py's
     * {@code TOOL_MOVE}), with the bounds a real actuator needs: every call the model makes is
     * checked against them before it runs. Descriptions are short on purpose: at {@code -c 512}
     * every token of a tool description is one the conversation cannot use.
     */
    public static final ToolSpec MOVE = ToolSpec.of("move", "Drive straight.", """
            {"type":"object","properties":{"direction":{"type":"string","enum":["forward","backward"]},\
            "meters":{"type":"number","exclusiveMinimum":0,"maximum":100}},"required":["direction","meters"]}""");

    /** The robot's {@code turn} tool, as {@link #MOVE}. */
    public static final ToolSpec TURN = ToolSpec.of("turn", "Turn in place.", """
            {"type":"object","properties":{"direction":{"type":"string","enum":["left","right"]},\
            "degrees":{"type":"number","exclusiveMinimum":0,"maximum":360}},"required":["direction","degrees"]}""");

    /** Both robot tools, in the order the demo offers them. */
    public static final java.util.List<ToolSpec> ROBOT_TOOLS = java.util.List.of(MOVE, TURN);

    private static final String RESOURCE = "/org/snowcrash/demo/snowcrash-demo.gguf";

    private DemoModel() {
    }

    /** The sha256 the file must have, from the committed {@code .sha256} file. */
    public static String sha256() throws IOException {
        try (InputStream in = DemoModel.class.getResourceAsStream(RESOURCE + ".sha256")) {
            if (in == null) {
                throw new IOException("the demo model's checksum is missing from the snowcrash-demo-model jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+")[0];
        }
    }

    /**
     * Whether {@code file} is this version's demo model: present and with the shipped sha256. A copy
     * left by an earlier version (the model was retrained) or damaged is not, and is replaced on use.
     */
    public static boolean isCurrent(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest()).equals(sha256());
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("SHA-256 is not available in this JVM", e);
        }
    }

    /**
     * Copies the shipped model to {@code target} (atomically: a temporary sibling, then a rename;
     * an ordinary 0644 file), verifying its sha256 on the way.
     *
     * @throws IOException when it is missing from the jar, damaged, or cannot be written
     */
    public static void install(Path target) throws IOException {
        String expected = sha256();
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".part");
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = DemoModel.class.getResourceAsStream(RESOURCE);
                 OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), digest)) {
                if (in == null) {
                    throw new IOException("the demo model is missing from the snowcrash-demo-model jar");
                }
                in.transferTo(out);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(expected)) {
                throw new IOException("the demo model in the jar is damaged: sha256 " + actual + ", expected " + expected);
            }
            if (Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class)) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("SHA-256 is not available in this JVM", e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
