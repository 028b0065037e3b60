package org.snowcrash.cli;

import java.math.BigDecimal;
import java.util.List;

import org.snowcrash.agent.AgentTool;
import org.snowcrash.api.ToolSpec;
import org.snowcrash.demo.DemoModel;

/**
 * The robot's tool set that {@code snowcrash chat} offers the model: {@code move} and {@code turn},
 * which say what the robot would do (the command drives nothing). Their specs are the demo model's
 * ({@link DemoModel#ROBOT_TOOLS}, the ones it was trained on); this class adds what running them does.
 */
final class RobotTools {

    static final ToolSpec MOVE = DemoModel.MOVE;

    static final ToolSpec TURN = DemoModel.TURN;

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
