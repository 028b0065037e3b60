package org.snowcrash.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.snowcrash.api.JsonSchema;
import org.snowcrash.api.ToolSpec;
import org.snowcrash.api.ToolChoice;

class SchemaCheckTest {

    @Test
    void aSchemaThatIsNotJsonSchemaIsNamedAsSuch() {
        assertTrue(SchemaCheck.schemaProblem(JsonSchema.of("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"nope\"}}}")).isPresent());
        assertTrue(SchemaCheck.schemaProblem(JsonSchema.of("{\"type\":\"object\",\"required\":\"a\"}")).isPresent());
        assertEquals(Optional.empty(), SchemaCheck.schemaProblem(RobotTools.MOVE.parameters()));
    }

    @Test
    void theForcedCallSchemaAcceptsExactlyValidCalls() {
        JsonSchema any = CallSchema.of(List.of(RobotTools.MOVE, RobotTools.TURN), ToolChoice.REQUIRED);
        assertEquals(Optional.empty(), SchemaCheck.schemaProblem(any));
        assertEquals(List.of(), SchemaCheck.problems(any, "{\"name\":\"turn\",\"arguments\":{\"direction\":\"left\",\"degrees\":90}}"));
        assertTrue(!SchemaCheck.problems(any, "{\"name\":\"turn\",\"arguments\":{\"direction\":\"forward\",\"degrees\":90}}").isEmpty());
        assertTrue(!SchemaCheck.problems(any, "{\"name\":\"fly\",\"arguments\":{}}").isEmpty());
        JsonSchema move = CallSchema.of(List.of(RobotTools.MOVE, RobotTools.TURN), ToolChoice.named("move"));
        assertEquals(List.of(), SchemaCheck.problems(move, "{\"name\":\"move\",\"arguments\":{\"direction\":\"backward\",\"meters\":1}}"));
        assertTrue(!SchemaCheck.problems(move, "{\"name\":\"turn\",\"arguments\":{\"direction\":\"left\",\"degrees\":90}}").isEmpty());
    }

    @Test
    void aForcedCallClosesArgumentsTheToolLeftOpenAndKeepsWhatTheToolSaid() {
        JsonSchema move = CallSchema.of(List.of(RobotTools.MOVE), ToolChoice.REQUIRED);
        String padded = "{\"name\":\"move\",\"arguments\":{\"direction\":\"forward\",\"meters\":1,\"speed\":\"fast\"}}";
        assertEquals(List.of(), SchemaCheck.problems(RobotTools.MOVE.parameters(),
                "{\"direction\":\"forward\",\"meters\":1,\"speed\":\"fast\"}"), "the tool's own schema is open");
        assertTrue(!SchemaCheck.problems(move, padded).isEmpty(), "a forced call may not pad the arguments");
        ToolSpec open = ToolSpec.of("note", "Keep a note.",
                "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"additionalProperties\":true}");
        JsonSchema note = CallSchema.of(List.of(open), ToolChoice.REQUIRED);
        assertEquals(List.of(), SchemaCheck.problems(note, "{\"name\":\"note\",\"arguments\":{\"text\":\"a\",\"tag\":\"b\"}}"),
                "a tool that allows other keys keeps them");
    }

    @Test
    void notJsonIsOneProblem() {
        assertEquals(1, SchemaCheck.problems(RobotTools.MOVE.parameters(), "forward").size());
    }
}
