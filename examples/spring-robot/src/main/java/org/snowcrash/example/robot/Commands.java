package org.snowcrash.example.robot;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.annotation.ToolParam;
import org.springframework.stereotype.Component;

/**
 * The robot's commands as Spring AI tools. Here they only record what the robot would do; a
 * real robot would drive its motors. The descriptions are the short ones the demo model was
 * trained on: every token of a tool description takes room in a 512-token context.
 */
@Component
public class Commands {

    /** A direction to drive. */
    public enum Drive { forward, backward }

    /** A direction to turn. */
    public enum Side { left, right }

    private final List<String> done = new CopyOnWriteArrayList<>();

    @Tool(description = "Drive straight.")
    public String move(@ToolParam(description = "forward or backward") Drive direction,
                       @ToolParam(description = "meters") double meters) {
        done.add("move " + direction + " " + meters);
        return "would move " + direction + " " + number(meters) + " meters";
    }

    @Tool(description = "Turn in place.")
    public String turn(@ToolParam(description = "left or right") Side direction,
                       @ToolParam(description = "degrees") double degrees) {
        done.add("turn " + direction + " " + degrees);
        return "would turn " + direction + " " + number(degrees) + " degrees";
    }

    private static String number(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    /** What the robot was told to do so far, oldest first. */
    public List<String> done() {
        return List.copyOf(done);
    }
}
