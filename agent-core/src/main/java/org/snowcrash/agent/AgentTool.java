package org.snowcrash.agent;

import java.util.Objects;

import org.snowcrash.api.ToolSpec;
import org.snowcrash.tools.ToolArguments;

/**
 * A tool an {@link Agent} lets its model call: a description the model reads (name, purpose,
 * parameters as a JSON Schema) and the Java code that runs when the model calls it.
 *
 * <pre>{@code
 * AgentTool move = AgentTool.of(
 *         ToolSpec.of("move", "Drive straight.", """
 *             {"type":"object","properties":{"direction":{"enum":["forward","backward"]},
 *              "meters":{"type":"number"}},"required":["direction","meters"]}"""),
 *         args -> robot.drive(args.string("direction"), args.number("meters")));
 * Agent agent = Agent.builder().model("demo").tool(move).start();
 * }</pre>
 *
 * <p>The agent runs a tool only with arguments that validate against its schema (a call that does
 * not is re-asked, never run). What {@link #call} returns goes back to the model as the call's
 * result; an exception goes back as {@code error: <message>}, so the model can say what went wrong,
 * and never ends the turn. Tools run on the thread that asked the question, one call at a time, in
 * the order the model made them.
 */
public interface AgentTool {

    /** What the model is told about the tool. */
    ToolSpec spec();

    /**
     * Runs the tool.
     *
     * @param arguments the call's arguments, valid against {@link #spec()}'s schema
     * @return the result the model reads (short: at {@code -c 512} every token counts)
     * @throws Exception anything; reported to the model as the call's result
     */
    String call(ToolArguments arguments) throws Exception;

    /** The function behind a tool made with {@link #of}. */
    @FunctionalInterface
    interface Handler {
        /** Runs the call; see {@link AgentTool#call}. */
        String call(ToolArguments arguments) throws Exception;
    }

    /** A tool from its description and a function. */
    static AgentTool of(ToolSpec spec, Handler handler) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(handler, "handler");
        return new AgentTool() {
            @Override
            public ToolSpec spec() {
                return spec;
            }

            @Override
            public String call(ToolArguments arguments) throws Exception {
                return handler.call(arguments);
            }

            @Override
            public String toString() {
                return "AgentTool[" + spec.name() + "]";
            }
        };
    }
}
