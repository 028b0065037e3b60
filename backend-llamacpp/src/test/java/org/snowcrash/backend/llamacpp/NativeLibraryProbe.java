package org.snowcrash.backend.llamacpp;

/** A child program: loads the native library and says from where. */
public final class NativeLibraryProbe {

    private NativeLibraryProbe() {
    }

    public static void main(String[] args) {
        System.out.println("available=" + NativeLibrary.status().isAvailable() + " " + NativeLibrary.status() + " dir=" + System.getProperty("de.kherud.llama.tmpdir"));
        System.exit(0);
    }
}
