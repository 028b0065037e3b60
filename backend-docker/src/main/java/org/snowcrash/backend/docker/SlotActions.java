package org.snowcrash.backend.docker;

import java.io.IOException;
import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;

import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * llama-server's slot actions ({@code POST /slots/0?action=save|restore}, with
 * {@code --slot-save-path}): the server writes slot 0's tokens and KV cache to a file in that
 * folder, or loads them back. The server checks the file's header and its model's shape; a
 * missing, empty, truncated or foreign file is refused with 400 ("invalid slot save file"), and a
 * name with a path in it is refused too ("Invalid filename").
 */
final class SlotActions {

    private static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The server's answer: done, or why not. */
    sealed interface Outcome {
        /** The server did it. */
        record Done(String answer) implements Outcome {
        }

        /**
         * The server refused ({@code refused}: it answered with an error) or could not be reached.
         */
        record Failed(String why, boolean refused) implements Outcome {
        }
    }

    private final OkHttpClient http;
    private final String root;
    private final String apiKey;

    /** @param timeout a whole action's bound (a large model's cache is hundreds of MB to write) */
    SlotActions(OkHttpClient http, String root, String apiKey, Duration timeout) {
        // No pooled connections, as for chat: llama-server (behind the engine's proxy) closes a
        // connection after an answer without saying so, and a POST on such a stale connection
        // fails with "unexpected end of stream" (seen: one save in three lost that way).
        this.http = http.newBuilder().callTimeout(timeout).readTimeout(timeout)
                .connectionPool(new okhttp3.ConnectionPool(0, 1, java.util.concurrent.TimeUnit.SECONDS)).build();
        this.root = root;
        this.apiKey = apiKey;
    }

    Outcome save(String file) {
        return act("save", file);
    }

    Outcome restore(String file) {
        return act("restore", file);
    }

    private Outcome act(String action, String file) {
        String body = MAPPER.createObjectNode().put("filename", file).toString();
        Request req = new Request.Builder().url(root + "/slots/0?action=" + action)
                .header("Authorization", "Bearer " + apiKey).post(RequestBody.create(body, JSON)).build();
        try (Response r = http.newCall(req).execute()) {
            String text = r.body() == null ? "" : r.body().string();
            return r.isSuccessful() ? new Outcome.Done(text) : new Outcome.Failed(r.code() + " " + text, true);
        } catch (IOException e) {
            return new Outcome.Failed(e.toString(), false);
        }
    }
}
