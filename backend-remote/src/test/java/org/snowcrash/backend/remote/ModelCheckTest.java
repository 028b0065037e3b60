package org.snowcrash.backend.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;
import org.snowcrash.backend.remote.EndpointsRefused.Reason;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Model lists as the servers write them, and what each kind of answer means for a start. */
class ModelCheckTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String URL = "http://gpu1:8080/v1";
    private static final Duration BOUND = Duration.ofSeconds(2);

    /** llama-server b11669's answer, trimmed: the id is the file unless --alias is given. */
    private static final String LLAMA_SERVER = "{\"object\":\"list\",\"data\":[{\"id\":\"demo\",\"aliases\":[\"demo\",\"tiny\"],"
            + "\"object\":\"model\",\"owned_by\":\"llamacpp\",\"meta\":{\"n_vocab\":295,\"n_ctx\":512,\"n_ctx_train\":2048}}]}";
    /** vLLM's answer: the context is max_model_len. */
    private static final String VLLM = "{\"object\":\"list\",\"data\":[{\"id\":\"meta-llama/Llama-3.2-3B-Instruct\","
            + "\"object\":\"model\",\"owned_by\":\"vllm\",\"max_model_len\":8192}]}";
    /** Ollama's OpenAI-compatible answer: names with tags, no context. */
    private static final String OLLAMA = "{\"object\":\"list\",\"data\":[{\"id\":\"llama3.2:3b\",\"object\":\"model\",\"owned_by\":\"library\"}]}";

    private static ModelCheck.Outcome check(ModelsAnswer a, String name) {
        return ModelCheck.forModel(URL, a, name, "demo", BOUND);
    }

    private static EndpointsRefused.Refusal refusal(ModelsAnswer a, String name) {
        return assertInstanceOf(ModelCheck.Outcome.Refused.class, check(a, name)).refusal();
    }

    @Test
    void llamaServerVllmAndOllamaListsAreRead() {
        ModelCheck.Outcome.Served l = assertInstanceOf(ModelCheck.Outcome.Served.class, check(ModelsAnswer.parse(LLAMA_SERVER, MAPPER), "tiny"));
        assertEquals(512, l.model().contextSize(), "an alias finds the model, and n_ctx is its context");
        ModelCheck.Outcome.Served v = assertInstanceOf(ModelCheck.Outcome.Served.class,
                check(ModelsAnswer.parse(VLLM, MAPPER), "meta-llama/Llama-3.2-3B-Instruct"));
        assertEquals(8192, v.model().contextSize());
        ModelCheck.Outcome.Served o = assertInstanceOf(ModelCheck.Outcome.Served.class, check(ModelsAnswer.parse(OLLAMA, MAPPER), "llama3.2:3b"));
        assertEquals(0, o.model().contextSize(), "unknown");
    }

    @Test
    void anotherModelIsNamedAndTheKeyToSetIsToo() {
        var r = refusal(ModelsAnswer.parse(VLLM, MAPPER), "demo");
        assertEquals(Reason.MODEL_NOT_SERVED, r.reason());
        assertEquals("serves [meta-llama/Llama-3.2-3B-Instruct], not 'demo' (set model.demo.remote-name to the name it"
                + " serves it under)", r.answer());
        assertEquals(URL, r.endpoint());
    }

    @Test
    void eachKindOfRefusalIsTypedAndSaysWhatToDo() {
        var unauthorized = refusal(new ModelsAnswer.Status(401, "Invalid API Key"), "demo");
        assertEquals(Reason.UNAUTHORIZED, unauthorized.reason());
        assertEquals("401 Invalid API Key (set backend.remote.api-key to a key it accepts)", unauthorized.answer());
        var notOpenAi = refusal(new ModelsAnswer.Status(404, "Not Found"), "demo");
        assertEquals(Reason.BAD_ANSWER, notOpenAi.reason());
        assertTrue(notOpenAi.answer().contains("it usually ends in /v1"), notOpenAi.answer());
        var portal = refusal(ModelsAnswer.parse("<html>Please log in to the hotel Wi-Fi</html>", MAPPER), "demo");
        assertEquals(Reason.BAD_ANSWER, portal.reason());
        assertTrue(portal.answer().startsWith("not an OpenAI model list (not JSON: <html>Please log in"), portal.answer());
        var tls = refusal(new ModelsAnswer.Failed(new SSLHandshakeException("PKIX path building failed")), "demo");
        assertEquals(Reason.TLS, tls.reason());
        assertTrue(tls.answer().startsWith("TLS handshake failed: PKIX path building failed (is backend.remote.ca-file"), tls.answer());
        var refused = refusal(new ModelsAnswer.Failed(new ConnectException("Failed to connect to gpu1/10.0.0.2:8080")), "demo");
        assertEquals(Reason.UNREACHABLE, refused.reason());
        var silent = refusal(new ModelsAnswer.Failed(new SocketTimeoutException("Connect timed out")), "demo");
        assertEquals("no answer within 2 s", silent.answer());
    }

    @Test
    void onlyTransportFailuresAndServerTroubleCountAgainstHealth() {
        assertEquals(ModelCheck.Health.ANSWERED, ModelCheck.health(new ModelsAnswer.Status(401, "")));
        assertEquals(ModelCheck.Health.ANSWERED, ModelCheck.health(new ModelsAnswer.Failed(new SSLHandshakeException("x"))));
        assertEquals(ModelCheck.Health.ANSWERED, ModelCheck.health(ModelsAnswer.parse(OLLAMA, MAPPER)));
        for (int code : List.of(500, 502, 503, 408, 429)) {
            assertEquals(ModelCheck.Health.HARD_FAILURE, ModelCheck.health(new ModelsAnswer.Status(code, "")), "HTTP " + code);
        }
        assertEquals(ModelCheck.Health.HARD_FAILURE, ModelCheck.health(new ModelsAnswer.Failed(new IOException("reset"))));
    }
}
