package org.snowcrash.server;

import org.snowcrash.api.SnowcrashException;

/** The server could not listen where it was told to (the port is taken, the address is not ours). */
public final class ServerStartException extends SnowcrashException {

    private static final long serialVersionUID = 1L;

    public ServerStartException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Always {@link Kind#BAD_INPUT}: {@code serve.host} or {@code serve.port} must change. */
    @Override
    public Kind kind() {
        return Kind.BAD_INPUT;
    }
}
