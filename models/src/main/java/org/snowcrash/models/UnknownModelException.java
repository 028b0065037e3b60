package org.snowcrash.models;

import org.snowcrash.api.SnowcrashException;

/** A model id the catalog does not know, or whose file would leave the models directory. */
public final class UnknownModelException extends SnowcrashException {

    private static final long serialVersionUID = 1L;

    public UnknownModelException(String message) {
        super(message);
    }

    /** Always {@link Kind#BAD_INPUT}. */
    @Override
    public Kind kind() {
        return Kind.BAD_INPUT;
    }
}
