package org.snowcrash.cli;

import java.math.BigDecimal;
import java.util.List;

import org.snowcrash.agent.AgentTool;
import org.snowcrash.api.ToolSpec;

/**
 * The robot's tool set that {@code snowcrash chat} offers the model: {@code move} and {@code turn},
 * which say what the robot would do (the command drives nothing). The descriptions are the ones the
 * demo model was trained on (training/README.md) and short on purpose: at {@code -c 512} every
 * token of a tool description is one the conversation cannot use.
 */
final class RobotTools {

    static final ToolSpec MOVE = ToolSpec.of("move", "Drive straight.", """
            {"type":"object","properties":{"direction":{"type":"string","enum":["forward","backward"]},\
            "meters":{"type":"number","exclusiveMinimum":0,"maximum":100}},"required":["direction","meters"]}""");

    static final ToolSpec TURN = ToolSpec.of("turn", "Turn in place.", """
            {"type":"object","properties":{"direction":{"type":"string","enum":["left","right"]},\
            "degrees":{"type":"number","exclusiveMinimum":0,"maximum":360}},"required":["direction","degrees"]}""");

    private RobotTools() {
    }

    /** Both tools. */
    static List<AgentTool> all() {
        return List.of(
                AgentTool.of(MOVE, a -> "would move " + a.string("direction") + " " + amount(a.number("meters"), "meter")),
                AgentTool.of(TURN, a -> "would turn " + a.string("direction") + " " + amount(a.number("degrees"), "degree")));
    }

    /** "3 meters", "1 meter", "1.5 meters". */
    static String amount(double value, String unit) {
        return number(value) + " " + unit + (value == 1 ? "" : "s");
    }

    /** 3.0 as "3", 1.5 as "1.5": as a person would say it. */
    static String number(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
