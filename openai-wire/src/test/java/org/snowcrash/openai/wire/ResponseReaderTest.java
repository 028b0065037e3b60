package org.snowcrash.openai.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How answers are read where servers differ from OpenAI (moved here from openai-client with the code). */
class ResponseReaderTest {

    @Test
    void usageCarriesTheCachedPromptTokensTheServerReports() throws Exception {
        // The final streamed chunk of llama-server b11669 (the blocking answer carries the same two
        // objects): OpenAI's usage with prompt_tokens_details, and the server's own timings.
        com.fasterxml.jackson.databind.JsonNode last = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "{\"choices\":[],\"object\":\"chat.completion.chunk\",\"usage\":{\"completion_tokens\":8,"
                + "\"prompt_tokens\":166,\"total_tokens\":174,\"prompt_tokens_details\":{\"cached_tokens\":165}},"
                + "\"timings\":{\"cache_n\":165,\"prompt_n\":1,\"predicted_n\":8}}");
        assertEquals(new org.snowcrash.api.Usage(166, 8, 165), ResponseReader.usage(last));
        com.fasterxml.jackson.databind.JsonNode timingsOnly = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "{\"timings\":{\"cache_n\":40,\"prompt_n\":2,\"predicted_n\":5}}");
        assertEquals(new org.snowcrash.api.Usage(42, 5, 40), ResponseReader.usage(timingsOnly));
        com.fasterxml.jackson.databind.JsonNode noDetails = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "{\"usage\":{\"completion_tokens\":1,\"prompt_tokens\":3}}");
        assertEquals(new org.snowcrash.api.Usage(3, 1, 0), ResponseReader.usage(noDetails), "a server that does not say: nothing cached");
    }
}
