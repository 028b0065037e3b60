package org.snowcrash.openai.wire;

import org.snowcrash.api.SnowcrashException;

/**
 * A request field that is missing, of the wrong type or of a value OpenAI's API does not take,
 * in the terms of OpenAI's 400 error: the {@code param} at fault ({@code messages[3].tool_call_id},
 * or null for the body as a whole), a {@code code} ({@code invalid_value},
 * {@code missing_required_parameter}, {@code unsupported_parameter}, {@code invalid_json}) and a
 * message that names the field. A server turns it into its error reply; nothing here knows HTTP.
 * Of kind {@link SnowcrashException.Kind#BAD_INPUT}, like every other bad input callers meet.
 */
public final class FieldRefusal extends SnowcrashException {

    private static final long serialVersionUID = 1L;

    private final String param;
    private final String code;

    /**
     * @param param   the field at fault, or null
     * @param code    OpenAI's error code
     * @param message what is wrong, naming the field
     */
    public FieldRefusal(String param, String code, String message) {
        super(message);
        this.param = param;
        this.code = code;
    }

    /** An answer to bad input, not a fault: no stack trace to fill in (a server may meet many). */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    @Override
    public Kind kind() {
        return Kind.BAD_INPUT;
    }

    /** A refusal {@code unsupported_parameter}: the message reads {@code 'param' <message>}. */
    public static FieldRefusal unsupported(String param, String message) {
        return new FieldRefusal(param, "unsupported_parameter", "'" + param + "' " + message);
    }

    /** The field at fault, or null when the body as a whole is. */
    public String param() {
        return param;
    }

    /** OpenAI's error code. */
    public String code() {
        return code;
    }
}
