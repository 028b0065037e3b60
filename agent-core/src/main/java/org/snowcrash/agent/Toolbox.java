package org.snowcrash.agent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolSpec;
import org.snowcrash.tools.ToolArguments;

/**
 * An agent's tools by name, and running one call: whatever a tool does (returns, throws, returns
 * null) becomes a result the model can read, so a failing tool never ends the turn. Immutable.
 */
final class Toolbox {

    /** What a call produced: the text the model reads, and whether the tool failed. */
    record Outcome(String result, boolean failed) {
    }

    private final Map<String, AgentTool> byName;
    private final List<ToolSpec> specs;

    Toolbox(List<AgentTool> tools) {
        Map<String, AgentTool> m = new LinkedHashMap<>();
        for (AgentTool t : tools) {
            ToolSpec spec = t.spec();
            if (m.putIfAbsent(spec.name(), t) != null) {
                throw new IllegalArgumentException("two tools are named '" + spec.name() + "'");
            }
        }
        this.byName = Map.copyOf(m);
        this.specs = m.values().stream().map(AgentTool::spec).toList();
    }

    /** The tools' descriptions, in the order they were registered (a stable prompt prefix). */
    List<ToolSpec> specs() {
        return specs;
    }

    boolean isEmpty() {
        return specs.isEmpty();
    }

    /** Runs a call the runtime already checked against the tool's schema. */
    Outcome run(ToolCall call) {
        AgentTool tool = byName.get(call.name());
        if (tool == null) {
            // The runtime refuses calls to tools not offered; this guards a backend that slipped one through.
            return new Outcome("error: there is no tool named " + call.name(), true);
        }
        try {
            String result = tool.call(ToolArguments.parse(call.arguments()));
            return new Outcome(result == null ? "" : result, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome("error: interrupted", true);
        } catch (Exception e) {
            String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
            return new Outcome("error: " + message, true);
        }
    }
}
