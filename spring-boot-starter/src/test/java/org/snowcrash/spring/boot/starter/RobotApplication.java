package org.snowcrash.spring.boot.starter;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.swagger.v3.oas.annotations.media.Schema;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.annotation.ToolParam;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;

/** The test application: nothing Snowcrash-specific in its code, only the starter on the classpath. */
@SpringBootApplication
public class RobotApplication {

    /** The scene the demo model was trained with, as the robot's system prompt. */
    public static final String SCENE = "You are Snowcrash, a small robot. Your camera sees: a person on the left, two cups ahead.";

    /**
     * What the demo model's camera sees, as a structured answer. The bounds go into the schema
     * (Spring AI reads swagger's {@code @Schema}): a tiny model constrained to a string could
     * otherwise write that string until the token limit.
     */
    public record Scene(@Schema(description = "where the person is", maxLength = 16) String person,
                        @Schema(description = "how many cups", minimum = "0", maximum = "9") int cups) {
    }

    /**
     * The robot's commands as Spring AI {@code @Tool} methods, described as the demo model was
     * trained (docs/tool-format.md renders them {@code move(direction: forward|backward, meters: number)});
     * each call is recorded.
     */
    @Component
    public static class RobotTools {
        /** A direction to drive. */
        public enum Drive { forward, backward }

        /** A direction to turn. */
        public enum Side { left, right }

        /** Every call, in order: {@code move forward 2.0}. */
        public final List<String> calls = new CopyOnWriteArrayList<>();

        @Tool(description = "Drive straight.")
        public String move(@ToolParam(description = "forward or backward") Drive direction,
                           @ToolParam(description = "meters") double meters) {
            calls.add("move " + direction + " " + meters);
            return "would move " + direction + " " + number(meters) + " meters";
        }

        @Tool(description = "Turn in place.")
        public String turn(@ToolParam(description = "left or right") Side direction,
                           @ToolParam(description = "degrees") double degrees) {
            calls.add("turn " + direction + " " + degrees);
            return "would turn " + direction + " " + number(degrees) + " degrees";
        }

        private static String number(double d) {
            return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
        }
    }
}
