package org.snowcrash.backend.llamacpp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.Availability;

/**
 * Loads java-llama.cpp's native library once per process and remembers the answer.
 *
 * <p>The library loads itself in a static initializer: a failure shows as
 * {@link UnsatisfiedLinkError} the first time and {@link NoClassDefFoundError} after, so the
 * first answer is the only informative one and is kept. Two quirks of 4.2.0 are handled here:
 * it deletes other {@code llama*} files in its extraction directory, and loads what it finds
 * there, so it gets a folder of its own that only this user can have made
 * ({@code de.kherud.llama.tmpdir}; by default {@code $XDG_CACHE_HOME/snowcrash/native}, else
 * {@code ~/.cache/snowcrash/native}; see {@link PrivateDirectory}); and it prints to
 * {@code System.out} while loading, which would corrupt a command's output, so that print is
 * captured and logged.
 */
final class NativeLibrary {

    private static final Logger LOG = LoggerFactory.getLogger(NativeLibrary.class);
    private static final String TMPDIR_PROPERTY = "de.kherud.llama.tmpdir";

    private static volatile Availability status;

    private NativeLibrary() {
    }

    /** Loads the library on first call; later calls return the first answer. Never throws. */
    static Availability status() {
        Availability s = status;
        if (s == null) {
            synchronized (NativeLibrary.class) {
                s = status;
                if (s == null) {
                    s = load();
                    status = s;
                }
            }
        }
        return s;
    }

    private static Availability load() {
        String arch = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
        PrintStream originalOut = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            Path dir = PrivateDirectory.ensure(extractionDirectory(System.getenv()));
            System.setProperty(TMPDIR_PROPERTY, dir.toString());
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            // Initialising the class runs LlamaLoader.initialize(), which extracts and loads the library.
            Class.forName("de.kherud.llama.LlamaModel", true, NativeLibrary.class.getClassLoader());
            return Availability.available();
        } catch (ClassNotFoundException e) {
            return Availability.unavailable("java-llama.cpp (de.kherud:llama) is not on the classpath");
        } catch (UnsatisfiedLinkError e) {
            return Availability.unavailable("the llama.cpp native library cannot be loaded on " + arch + ": " + e.getMessage());
        } catch (LinkageError e) {
            return Availability.unavailable("the llama.cpp native library failed to initialise on " + arch + ": " + e);
        } catch (IOException | SecurityException e) {
            return Availability.unavailable("cannot prepare a private folder for the native library: " + e.getMessage());
        } finally {
            System.setOut(originalOut);
            String text = captured.toString(StandardCharsets.UTF_8).strip();
            if (!text.isEmpty()) {
                LOG.debug("java-llama.cpp said while loading: {}", text);
            }
        }
    }

    /** The configured folder, else the user's cache folder (never a shared, predictable temp path). */
    static Path extractionDirectory(java.util.Map<String, String> env) {
        String configured = System.getProperty(TMPDIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String cache = env.get("XDG_CACHE_HOME");
        Path base = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("snowcrash").resolve("native");
    }
}
