package org.snowcrash.models;

/** A model id the catalog does not know, or whose file would leave the models directory. */
public final class UnknownModelException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UnknownModelException(String message) {
        super(message);
    }
}
