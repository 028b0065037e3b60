package org.snowcrash.tools;

import java.security.SecureRandom;

/**
 * Ids for calls a model wrote in Snowcrash's format (the model writes none): {@code call_} and 24
 * letters and digits, as OpenAI's ids look. Thread-safe.
 */
public final class CallIds {

    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private CallIds() {
    }

    /** A fresh id. */
    public static String next() {
        char[] c = new char[24];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return "call_" + new String(c);
    }
}
