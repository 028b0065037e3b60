package org.snowcrash.openai;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ToolSpec;
import org.snowcrash.openai.wire.RequestJson;

/**
 * llama-server's own endpoints at the server's root, which other OpenAI-compatible servers lack:
 * {@code /health}, {@code /apply-template} + {@code /tokenize} (token counting), {@code /props}
 * (slots). Kept apart from the chat API so what only llama-server answers is visible in one place.
 * Thread-safe: no state between calls.
 */
final class LlamaServerEndpoints {

    private final Wire wire;
    private final Failures failures;

    LlamaServerEndpoints(Wire wire) {
        this.wire = wire;
        this.failures = wire.failures;
    }

    /** See {@link OpenAiClient#health(Duration)}. Never throws. */
    int health(Duration timeout) {
        OkHttpClient quick = wire.http.newBuilder().callTimeout(timeout).build();
        try (Response r = quick.newCall(new Request.Builder().url(wire.root + "/health").get().build()).execute()) {
            return r.code();
        } catch (IOException e) {
            return -1;
        }
    }

    /** See {@link OpenAiClient#countPromptTokens(List, List)}. */
    int countPromptTokens(List<ChatMessage> messages, List<ToolSpec> tools) {
        ObjectNode req = RequestJson.MAPPER.createObjectNode();
        req.set("messages", RequestJson.messages(messages));
        if (!tools.isEmpty()) {
            req.set("tools", RequestJson.tools(tools));
        }
        String prompt = wire.post(wire.http, wire.idleTimeout, wire.root + "/apply-template", req, new Exchange())
                .path("prompt").asText("");
        ObjectNode tok = RequestJson.MAPPER.createObjectNode().put("content", prompt).put("add_special", true);
        return wire.post(wire.http, wire.idleTimeout, wire.root + "/tokenize", tok, new Exchange()).path("tokens").size();
    }

    /** See {@link OpenAiClient#slots()}. */
    OpenAiClient.Slots slots() {
        Request req = wire.authorized(new Request.Builder().url(wire.root + "/props").get()).build();
        try (Response r = wire.http.newCall(req).execute()) {
            String body = r.body() == null ? "" : r.body().string();
            if (!r.isSuccessful()) {
                throw failures.status(r.code(), body);
            }
            JsonNode props = failures.parse(body);
            int count = props.path("total_slots").asInt(0);
            int perSlot = props.path("default_generation_settings").path("n_ctx").asInt(0);
            if (count < 1 || perSlot < 1) {
                throw failures.error(new ChatFailure.Other("/props does not say the slots' count and context: "
                        + (body.length() > 200 ? body.substring(0, 200) + "..." : body)), null);
            }
            return new OpenAiClient.Slots(count, perSlot);
        } catch (IOException e) {
            throw failures.error(new ChatFailure.BackendGone("cannot ask " + wire.root + "/props: " + Failures.describe(e)), e);
        }
    }
}
