package org.snowcrash.tools;

import org.snowcrash.api.ToolSpec;

/** The demo's robot tools, as docs/tool-format.md shows them. */
final class RobotTools {
    static final ToolSpec MOVE = ToolSpec.of("move", "Drive straight.",
            "{\"type\":\"object\",\"properties\":{\"direction\":{\"type\":\"string\",\"enum\":[\"forward\",\"backward\"]},"
                    + "\"meters\":{\"type\":\"number\"}},\"required\":[\"direction\",\"meters\"]}");
    static final ToolSpec TURN = ToolSpec.of("turn", "Turn in place.",
            "{\"type\":\"object\",\"properties\":{\"direction\":{\"type\":\"string\",\"enum\":[\"left\",\"right\"]},"
                    + "\"degrees\":{\"type\":\"number\"}},\"required\":[\"direction\",\"degrees\"]}");

    private RobotTools() {
    }
}
