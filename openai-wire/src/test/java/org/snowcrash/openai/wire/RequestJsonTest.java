package org.snowcrash.openai.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.ToolChoice;

/** The small request values written as OpenAI documents them (moved here from openai-client with the code). */
class RequestJsonTest {

    @Test
    void choicesAndJsonObjectAreWrittenAsOpenAiSaysThem() throws Exception {
        assertEquals("\"auto\"", RequestJson.toolChoice(ToolChoice.AUTO).toString());
        assertEquals("\"none\"", RequestJson.toolChoice(ToolChoice.NONE).toString());
        assertEquals("\"required\"", RequestJson.toolChoice(ToolChoice.REQUIRED).toString());
        assertEquals("{\"type\":\"json_object\"}", RequestJson.responseFormat(ResponseFormat.JSON_OBJECT).toString());
    }
}
