package org.snowcrash.openai;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;

import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolCallDelta;
import org.snowcrash.api.Usage;
import org.snowcrash.openai.wire.Chunk;
import org.snowcrash.openai.wire.RequestJson;
import org.snowcrash.openai.wire.ResponseReader;
import org.snowcrash.openai.wire.ToolCallAssembler;

/**
 * One streamed chat answer: sends the request, reads its server-sent events on the caller's thread
 * and hands text, reasoning and tool-call deltas to the {@link TokenSink} as they come, then builds
 * the whole {@link ChatResponse}. Kept apart because the stream's end states (done, cut, cancelled,
 * an error object inside a 200) are the subtle part of the client. Thread-safe: no state between calls.
 */
final class StreamedAnswer {

    /** Writes the request straight to UTF-8 bytes: no String between, no charset lookup by OkHttp. */
    private static final ObjectWriter WRITER = RequestJson.MAPPER.writer();

    private final Wire wire;
    private final Failures failures;
    private final String model;

    StreamedAnswer(Wire wire, String model) {
        this.wire = wire;
        this.failures = wire.failures;
        this.model = model;
    }

    /** Sends {@code request} once as a stream; see {@link OpenAiClient#stream(ChatRequest, TokenSink, Cancellation)}. */
    ChatResponse read(ChatRequest request, TokenSink sink, Cancellation cancellation, Exchange exchange) {
        long t0 = System.nanoTime();
        byte[] body;
        try {
            body = WRITER.writeValueAsBytes(RequestJson.request(request, model, true));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
        // "Connection: close": llama-server closes the connection after a streamed answer anyway
        // (while announcing keep-alive; behind docker-proxy the close is not even visible until the
        // next request fails), so none is kept: OkHttp then closes the socket on this thread at the
        // end, instead of pooling it and waking its task thread to evict it.
        Request req = wire.authorized(wire.chat(new Request.Builder())
                .tag(Exchange.class, exchange)
                .header("Accept", "text/event-stream")
                .header("Connection", "close")
                .post(RequestBody.create(body, Wire.JSON))).build();
        // Read on the caller's thread: a token reaches the sink with no hand-over between threads
        // (a wake-up per token, on cores the model server wants too). Cancelling closes the socket,
        // which ends a blocked read at once.
        Call call = wire.streaming.newCall(req);
        cancellation.onCancel(call::cancel);
        ChatResponse answer;
        try (Silence.Watch watch = Silence.watch(call, wire.idleTimeout)) {
            Response response;
            try {
                response = call.execute();
            } catch (IOException e) {
                if (cancellation.isCancelled()) {
                    return finished(new StringBuilder(), new StringBuilder(), new ToolCallAssembler(), FinishReason.CANCELLED, null, t0);
                }
                throw transport(e, watch, exchange);
            }
            watch.heard();
            try (response) {
                exchange.status(response.code());
                if (!response.isSuccessful()) {
                    throw failures.status(response.code(), Failures.bodyOf(response));
                }
                MediaType type = response.body().contentType();
                if (type == null || !type.type().equals("text") || !type.subtype().equals("event-stream")) {
                    throw failures.error(new ChatFailure.BackendGone("java.lang.IllegalStateException: Invalid content-type: " + type), null);
                }
                answer = events(new SseLines(response.body().source(), watch::heard), sink, cancellation, exchange, watch, t0);
            }
        }
        if (answer.finishReason() != FinishReason.CANCELLED) {
            wire.openAhead(); // for the next request: this one's connection is closed, as the server ends it
        }
        return answer;
    }

    /** A failed read or write, told as a timeout when the watch cut a silent server. */
    private ChatException transport(IOException e, Silence.Watch watch, Exchange exchange) {
        if (watch.expired() && exchange.reachedServer()) {
            return failures.error(new ChatFailure.Timeout(wire.idleTimeout), e);
        }
        return failures.transport(e, wire.idleTimeout, exchange);
    }

    /** The events of one answer, read as they come, handed to {@code sink}. */
    private ChatResponse events(SseLines source, TokenSink sink, Cancellation cancellation, Exchange exchange,
                                Silence.Watch watch, long t0) {
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        ToolCallAssembler calls = new ToolCallAssembler();
        String finishReason = null;
        Usage usage = null;
        boolean sawDone = false;
        while (true) {
            String data;
            try {
                // The watch (the idle timeout) bounds each wait for the next line; the time spent
                // with an event (below, in the sink) is not the server's silence.
                watch.waiting();
                data = source.next();
                watch.holding();
            } catch (IOException e) {
                if (cancellation.isCancelled()) {
                    return finished(text, reasoning, calls, FinishReason.CANCELLED, usage, t0);
                }
                throw transport(e, watch, exchange);
            }
            if (data == null) {
                if (!sawDone && finishReason == null && !cancellation.isCancelled()) {
                    // The connection closed before the server said it was done: it died or was cut.
                    throw failures.error(new ChatFailure.BackendGone("the stream ended before the answer was complete"), null);
                }
                break;
            }
            if (data.equals("[DONE]")) {
                sawDone = true;
                // Read on until the body ends, so the stream is closed by the server, not cut by us.
                continue;
            }
            JsonNode chunk = failures.parse(data);
            if (chunk.has("error")) {
                throw failures.inStream(chunk.get("error"));
            }
            Chunk read = ResponseReader.chunk(chunk);
            List<ToolCallDelta> callPieces;
            try {
                callPieces = calls.add(read.toolCalls());
            } catch (IllegalArgumentException e) {
                throw failures.error(new ChatFailure.Other("the server sent a malformed tool call: " + e.getMessage()), e);
            }
            String thought = read.reasoning();
            String piece = read.content();
            reasoning.append(thought);
            text.append(piece);
            try {
                // Reasoning comes before the answer it leads to, and the answer's text before its calls.
                if (!thought.isEmpty()) {
                    sink.reasoning(thought);
                }
                if (!piece.isEmpty()) {
                    sink.accept(piece);
                }
                callPieces.forEach(sink::toolCall);
            } catch (RuntimeException e) {
                throw failures.error(new ChatFailure.SinkFailed(e.toString()), e);
            }
            if (read.finishReason() != null) {
                finishReason = read.finishReason();
            }
            if (read.usage() != null) {
                usage = read.usage();
            }
        }
        if (cancellation.isCancelled()) {
            return finished(text, reasoning, calls, FinishReason.CANCELLED, usage, t0);
        }
        return finished(text, reasoning, calls,
                ResponseReader.finishReason(finishReason == null ? "stop" : finishReason, calls.hasCalls()), usage, t0);
    }

    private static ChatResponse finished(StringBuilder text, StringBuilder reasoning, ToolCallAssembler calls,
                                         FinishReason reason, Usage usage, long t0) {
        return new ChatResponse(text.toString(), reason, usage == null ? new Usage(0, 0) : usage,
                Duration.ofNanos(System.nanoTime() - t0), calls.calls(), reasoning.toString());
    }
}
