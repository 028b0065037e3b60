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

    /**
     * What the demo model's camera sees, as a structured answer. The bounds go into the schema
     * (Spring AI reads swagger's {@code @Schema}): a tiny model constrained to a string could
     * otherwise write that string until the token limit.
     */
    public record Scene(@Schema(description = "where the person is", maxLength = 16) String person,
                        @Schema(description = "how many cups", minimum = "0", maximum = "9") int cups) {
    }

    /** The robot's commands as Spring AI {@code @Tool} methods; each call is recorded. */
    @Component
    public static class RobotTools {
        /** Every call, in order: {@code move forward 2.0}. */
        public final List<String> calls = new CopyOnWriteArrayList<>();

        @Tool(description = "Move the robot")
        public String move(@ToolParam(description = "forward or backward") String direction,
                           @ToolParam(description = "distance in meters") double meters) {
            calls.add("move " + direction + " " + meters);
            return "moved " + direction + " " + meters + " m";
        }

        @Tool(description = "Turn the robot")
        public String turn(@ToolParam(description = "left or right") String direction,
                           @ToolParam(description = "angle in degrees") double degrees) {
            calls.add("turn " + direction + " " + degrees);
            return "turned " + direction + " " + degrees + " degrees";
        }
    }
}
