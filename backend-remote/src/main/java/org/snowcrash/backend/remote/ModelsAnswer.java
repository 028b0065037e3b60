package org.snowcrash.backend.remote;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What one endpoint answered to {@code GET <base>/models}: the OpenAI model list, an error
 * status, or nothing (a transport failure). The list is read as llama-server, vLLM and Ollama
 * write it: {@code data[].id}, plus llama-server's {@code aliases} and its {@code meta.n_ctx}, or
 * vLLM's {@code max_model_len}, for the context size.
 */
sealed interface ModelsAnswer {

    /** The endpoint lists these models. */
    record Listed(List<ServedModel> models) implements ModelsAnswer {
        public Listed {
            models = List.copyOf(models);
        }

        /** The model served under {@code name} (its id or an alias), if any. */
        Optional<ServedModel> find(String name) {
            return models.stream().filter(m -> m.id().equals(name) || m.aliases().contains(name)).findFirst();
        }

        /** The names it serves, for messages. */
        List<String> names() {
            return models.stream().map(ServedModel::id).toList();
        }
    }

    /** An HTTP error status (or a 200 that is not a model list), with the server's own message. */
    record Status(int code, String message) implements ModelsAnswer {
    }

    /** Nothing usable came back: refused, reset, unreachable, timed out, or the TLS handshake failed. */
    record Failed(IOException error) implements ModelsAnswer {
        boolean isTls() {
            for (Throwable t = error; t != null; t = t.getCause()) {
                if (t instanceof SSLException) {
                    return true;
                }
            }
            return false;
        }

        String describe() {
            String m = error.getMessage();
            String what = m == null || m.isBlank() ? error.getClass().getSimpleName() : m;
            return isTls() ? "TLS handshake failed: " + what : what;
        }
    }

    /**
     * One model on the list.
     *
     * @param id          its name
     * @param aliases     other names it answers to (llama-server's {@code --alias})
     * @param contextSize the context the server runs it with, 0 when it does not say
     */
    record ServedModel(String id, List<String> aliases, int contextSize) {
        public ServedModel {
            aliases = List.copyOf(aliases);
        }
    }

    /** Reads a 200 answer's body; a body that is not a model list is a {@link Status} saying so. */
    static ModelsAnswer parse(String body, ObjectMapper mapper) {
        JsonNode root;
        try {
            root = mapper.readTree(body == null ? "" : body);
        } catch (IOException e) {
            return new Status(200, "not an OpenAI model list (not JSON: " + excerpt(body) + ")");
        }
        if (root == null || !root.path("data").isArray()) {
            return new Status(200, "not an OpenAI model list (no \"data\" array: " + excerpt(body) + ")");
        }
        List<ServedModel> models = new ArrayList<>();
        for (JsonNode m : root.path("data")) {
            List<String> aliases = new ArrayList<>();
            m.path("aliases").forEach(a -> aliases.add(a.asText()));
            int ctx = m.path("meta").path("n_ctx").asInt(m.path("max_model_len").asInt(0));
            models.add(new ServedModel(m.path("id").asText(""), aliases, Math.max(0, ctx)));
        }
        return new Listed(models);
    }

    /** The {@code error.message} of an OpenAI-style error body, else the body's beginning. */
    static String errorMessage(String body, ObjectMapper mapper) {
        try {
            JsonNode e = mapper.readTree(body == null ? "" : body);
            if (e != null && e.path("error").path("message").isTextual()) {
                return e.path("error").path("message").asText();
            }
            if (e != null && e.path("error").isTextual()) {
                return e.path("error").asText();
            }
        } catch (IOException ignored) {
            // not JSON: show the text itself
        }
        return excerpt(body);
    }

    private static String excerpt(String body) {
        String s = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        return s.isEmpty() ? "(empty)" : s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
