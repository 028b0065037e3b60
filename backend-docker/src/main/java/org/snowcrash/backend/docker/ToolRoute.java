package org.snowcrash.backend.docker;

import java.util.List;

import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolCallDelta;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolFormat;
import org.snowcrash.tools.CallSchema;
import org.snowcrash.tools.CallStream;
import org.snowcrash.tools.Reading;
import org.snowcrash.tools.ToolPrompt;

/**
 * How one request with tools (or with calls and results in its conversation) travels to
 * llama-server and how its answer comes back, by the model's {@link ToolFormat}
 * (docs/tools-servers.md):
 *
 * <ul>
 *   <li>{@link Mode#PASS}: sent as asked. A {@link ToolFormat#NATIVE} model's template renders the
 *       tools and the server reads calls out of the answer; JSON formats are enforced by the server.
 *   <li>{@link Mode#SNOWCRASH}: the tools and the conversation's calls and results are written into
 *       plain messages by {@link ToolPrompt}, and calls are read back out of the answer's text
 *       ({@link Reading}; {@link CallStream} while streaming).
 *   <li>{@link Mode#FORCED}: a call is required or named. Debian's llama-server (b11669) enforces a
 *       {@code json_schema} response format but not {@code tool_choice}, so the request also
 *       carries the schema of one call ({@link CallSchema}) and the JSON answer becomes the call.
 * </ul>
 *
 * <p>An answer that still breaks the request (a call cut at the token limit, for one) is handed on
 * as it is; the runtime's answer check turns it into {@link ChatFailure.InvalidAnswer}. One instance
 * per request; the stream reader is not thread-safe.
 */
final class ToolRoute {

    /** How a request is translated; see the class comment. */
    enum Mode { PASS, SNOWCRASH, FORCED }

    /** The response format name under which a forced call's schema is sent. */
    static final String CALL_FORMAT = "tool_call";

    private final ChatRequest asked;
    private final ChatRequest sent;
    private final Mode mode;
    private final String where;

    private ToolRoute(ChatRequest asked, ChatRequest sent, Mode mode, String where) {
        this.asked = asked;
        this.sent = sent;
        this.mode = mode;
        this.where = where;
    }

    /**
     * The route of {@code request} for a model whose tools take {@code format}.
     *
     * @param where the session's address, for errors
     */
    static ToolRoute of(ChatRequest request, ToolFormat format, String where) {
        boolean snowcrash = format == ToolFormat.SNOWCRASH && (!request.tools().isEmpty() || hasToolTurns(request.messages()));
        ChatRequest base = snowcrash
                ? request.withMessages(ToolPrompt.render(request.messages(), request.tools())).withTools(List.of(), ToolChoice.AUTO)
                : request;
        if (request.toolChoice().forcesCall()) {
            ResponseFormat call = ResponseFormat.jsonSchema(CALL_FORMAT, CallSchema.of(request.tools(), request.toolChoice()));
            return new ToolRoute(request, base.withResponseFormat(call), Mode.FORCED, where);
        }
        return new ToolRoute(request, base, snowcrash ? Mode.SNOWCRASH : Mode.PASS, where);
    }

    /** The messages as the server gets them: with the tools written in for the Snowcrash format. */
    static List<ChatMessage> rendered(List<ChatMessage> messages, ToolFormat format, List<org.snowcrash.api.ToolSpec> tools) {
        return format == ToolFormat.SNOWCRASH ? ToolPrompt.render(messages, tools) : messages;
    }

    private static boolean hasToolTurns(List<ChatMessage> messages) {
        return messages.stream().anyMatch(m -> m.hasToolCalls() || m.role() == ChatMessage.Role.TOOL);
    }

    Mode mode() {
        return mode;
    }

    /** What goes to the server. */
    ChatRequest sent() {
        return sent;
    }

    /** The answer to the request as asked, from the server's answer to {@link #sent()}. */
    ChatResponse read(ChatResponse raw) {
        if (!readsCalls() || raw.hasToolCalls()) {
            return raw; // nothing to read, or the server read the calls itself
        }
        return answer(raw, () -> mode == Mode.FORCED ? Reading.line(raw.text()) : Reading.of(raw.text()));
    }

    /** Whether calls are read out of the answer's text. */
    private boolean readsCalls() {
        return mode == Mode.FORCED || (mode == Mode.SNOWCRASH && !(asked.toolChoice() instanceof ToolChoice.None));
    }

    private ChatResponse answer(ChatResponse raw, java.util.function.Supplier<Reading> reading) {
        if (raw.finishReason() == FinishReason.CANCELLED) {
            return raw;
        }
        boolean textMayBeJson = mode == Mode.FORCED || asked.responseFormat().isJson();
        if (raw.finishReason() == FinishReason.LENGTH) {
            if (!textMayBeJson && Reading.startsCall(raw.text())) {
                // A call cut short: never a call to run, and not an answer to show as text either.
                throw invalid("the call was cut at the token limit (" + asked.maxTokens() + " tokens)", raw.text());
            }
            return raw; // the answer check says what a cut JSON answer or forced call is
        }
        Reading r = reading.get();
        if (r instanceof Reading.Calls c) {
            return new ChatResponse("", FinishReason.TOOL_CALLS, raw.usage(), raw.elapsed(), c.calls(), raw.reasoning());
        }
        if (r instanceof Reading.Malformed m && !textMayBeJson) {
            // The model began a call and did not write one: neither a call to run nor an answer to show.
            throw invalid(m.problem(), m.answer());
        }
        return raw; // text, or JSON that is not a call: the answer check judges it against the request
    }

    private ChatException invalid(String what, String answer) {
        return new ChatException(DockerBackend.ID, where, new ChatFailure.InvalidAnswer(what, answer));
    }

    /**
     * A reader for a streamed answer: give {@link Stream#sink()} to the client, then
     * {@link Stream#finish(ChatResponse)} the client's response.
     */
    Stream stream(TokenSink downstream) {
        return new Stream(downstream);
    }

    /** Reads one streamed answer for its route. */
    final class Stream {
        private final TokenSink sink;
        private final CallStream calls;

        private Stream(TokenSink downstream) {
            if (!readsCalls()) {
                this.calls = null;
                this.sink = downstream;
                return;
            }
            CallStream reader = new CallStream(downstream);
            this.calls = reader;
            // A forced call is JSON written under a grammar that lets the model put spaces and line
            // breaks between tokens; the call reader expects one call per line, so the blanks outside
            // strings are dropped before it (JSON means the same without them).
            TokenSink text = mode == Mode.FORCED ? new JsonBlanks(reader) : reader;
            this.sink = new TokenSink() {
                @Override
                public void accept(String piece) {
                    text.accept(piece);
                }

                @Override
                public void toolCall(ToolCallDelta delta) {
                    downstream.toolCall(delta); // the server read a call itself: hand it on as it came
                }

                @Override
                public void reasoning(String piece) {
                    downstream.reasoning(piece);
                }
            };
        }

        /** What goes to the server. */
        ChatRequest sent() {
            return sent;
        }

        /** The sink to stream the server's answer into. */
        TokenSink sink() {
            return sink;
        }

        /** The answer to the request as asked, from the client's response. */
        ChatResponse finish(ChatResponse raw) {
            if (calls == null || raw.hasToolCalls()) {
                return raw;
            }
            return answer(raw, calls::finish);
        }
    }

    /** Drops blanks outside JSON strings, so a grammar's free whitespace reaches the call reader as compact JSON. */
    static final class JsonBlanks implements TokenSink {
        private final TokenSink next;
        private boolean inString;
        private boolean escaped;

        JsonBlanks(TokenSink next) {
            this.next = next;
        }

        @Override
        public void accept(String piece) {
            StringBuilder out = new StringBuilder(piece.length());
            for (int i = 0; i < piece.length(); i++) {
                char ch = piece.charAt(i);
                if (inString) {
                    if (escaped) {
                        escaped = false;
                    } else if (ch == '\\') {
                        escaped = true;
                    } else if (ch == '"') {
                        inString = false;
                    }
                } else if (ch == '"') {
                    inString = true;
                } else if (Character.isWhitespace(ch)) {
                    continue;
                }
                out.append(ch);
            }
            if (!out.isEmpty()) {
                next.accept(out.toString());
            }
        }
    }
}
