package org.snowcrash.openai.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.JsonSchema;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolCallDelta;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolSpec;
import org.snowcrash.api.Usage;

/**
 * What one side writes, the other reads back unchanged: requests as the client writes them and the
 * server reads them, answers and streamed chunks as the server writes them and the client reads
 * them, through JSON text as on the wire. The values cover tool calls and their results, every tool
 * choice and response format, and text of any Unicode code point (controls, astral planes).
 *
 * <p>Where the wire says less than the value, the generators stay inside what it says, and the
 * tests name it: the server writes no cached-token count (usage reads back with none cached), an
 * answer that holds calls ends in {@code tool_calls} or {@code length}, a cancelled answer is
 * written as {@code stop}, without tools neither a tool choice nor {@code parallel_tool_calls}
 * is written (they read back as their defaults), and an empty system message is left out.
 */
class WireRoundTripTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ResponseJson RESPONSES = new ResponseJson(MAPPER);
    private static final Completion COMPLETION = new Completion("chatcmpl-1", 1_700_000_000L, "demo");

    // --- requests: client writes, server reads ---

    @Property(tries = 300)
    void aRequestReadsBackAsItWasWritten(@ForAll("requests") ChatRequest request, @ForAll("models") String model,
                                         @ForAll boolean stream) {
        String body = RequestJson.request(request, model, stream).toString();
        WireRequest read = RequestReader.read(tree(body), 1, schema -> Optional.empty());
        assertEquals(new WireRequest(model, request, stream, stream), read, body);
    }

    // --- whole answers: server writes, client reads ---

    @Property(tries = 300)
    void aWholeAnswerReadsBackAsItWasWritten(@ForAll("responses") ChatResponse response, @ForAll boolean withBackend) {
        String body = RESPONSES.completion(COMPLETION, withBackend ? Optional.of("docker") : Optional.empty(), response);
        assertEquals(response, ResponseReader.response(tree(body), response.elapsed()), body);
    }

    // --- streamed answers: server writes chunk by chunk, client reads them ---

    /** A piece of a streamed answer, as a sink receives it. */
    sealed interface Piece {
    }

    record Text(String piece) implements Piece {
    }

    record Thought(String piece) implements Piece {
    }

    record Call(ToolCallDelta delta) implements Piece {
    }

    /** A stream: pieces in order, how it ended and its counts. */
    record Script(List<Piece> pieces, FinishReason finish, Usage usage) {
    }

    @Property(tries = 300)
    void aStreamReadsBackPieceByPiece(@ForAll("scripts") Script script, @ForAll boolean includeUsage) {
        Optional<String> backend = Optional.of("llamacpp");
        List<Piece> read = new ArrayList<>();
        ToolCallAssembler calls = new ToolCallAssembler();

        Chunk role = ResponseReader.chunk(tree(RESPONSES.chunk(COMPLETION, backend, true, "", null, includeUsage)));
        assertEquals(new Chunk("", "", null, null, null), role, "the role chunk carries nothing for the sink");
        for (Piece p : script.pieces()) {
            String data;
            if (p instanceof Text t) {
                data = RESPONSES.chunk(COMPLETION, backend, false, t.piece(), null, includeUsage);
            } else if (p instanceof Thought t) {
                data = RESPONSES.reasoningChunk(COMPLETION, backend, t.piece(), includeUsage);
            } else {
                data = RESPONSES.toolCallChunk(COMPLETION, backend, ((Call) p).delta(), includeUsage);
            }
            Chunk k = ResponseReader.chunk(tree(data));
            assertNull(k.finishReason(), data);
            assertNull(k.usage(), "\"usage\": null is no counts: " + data);
            if (!k.reasoning().isEmpty()) {
                read.add(new Thought(k.reasoning()));
            }
            if (!k.content().isEmpty()) {
                read.add(new Text(k.content()));
            }
            calls.add(k.toolCalls()).forEach(d -> read.add(new Call(d)));
        }
        assertEquals(script.pieces(), read);

        Chunk last = ResponseReader.chunk(tree(RESPONSES.chunk(COMPLETION, backend, false, null, script.finish(), includeUsage)));
        assertEquals(script.finish(), ResponseReader.finishReason(last.finishReason(), calls.hasCalls()));
        if (includeUsage) {
            assertEquals(script.usage(), ResponseReader.chunk(tree(RESPONSES.usageChunk(COMPLETION, backend, script.usage()))).usage());
        }
        List<ToolCall> expected = new ArrayList<>();
        for (Piece p : script.pieces()) {
            if (p instanceof Call c && c.delta().opensCall()) {
                expected.add(new ToolCall(c.delta().id(), c.delta().name(), arguments(script, c.delta().index())));
            }
        }
        assertEquals(expected, calls.calls(), "the calls put back together");
    }

    private static String arguments(Script script, int index) {
        StringBuilder b = new StringBuilder();
        script.pieces().stream().filter(p -> p instanceof Call c && c.delta().index() == index)
                .forEach(p -> b.append(((Call) p).delta().arguments()));
        return b.toString();
    }

    // --- generators ---

    /** Any code point but a lone surrogate (which no UTF-8 text can hold): ASCII mostly, controls, BMP, astral. */
    static Arbitrary<String> unicode(int min, int max) {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0x20, 0x7E)),
                Tuple.of(1, Arbitraries.integers().between(0x00, 0x1F)),
                Tuple.of(2, Arbitraries.integers().between(0xA0, 0xD7FF)),
                Tuple.of(1, Arbitraries.integers().between(0xE000, 0xFFFD)),
                Tuple.of(2, Arbitraries.integers().between(0x10000, 0x10FFFF)));
        return codePoint.list().ofMinSize(min).ofMaxSize(max).map(cps -> {
            StringBuilder b = new StringBuilder();
            cps.forEach(b::appendCodePoint);
            return b.toString();
        });
    }

    static Arbitrary<String> names() {
        return Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').numeric().withChars('_', '-')
                .ofMinLength(1).ofMaxLength(64);
    }

    @Provide
    Arbitrary<String> models() {
        return unicode(1, 20).filter(m -> !m.isBlank() && m.equals(m.strip()));
    }

    static Arbitrary<ToolCall> toolCalls() {
        return Combinators.combine(unicode(1, 12).filter(id -> !id.isBlank()), names(), unicode(0, 30)).as(ToolCall::new);
    }

    /** An object schema in Jackson's compact form (the form a schema read from a request is kept in). */
    static Arbitrary<JsonSchema> schemas() {
        return Combinators.combine(unicode(1, 10), Arbitraries.of("string", "number", "boolean", "integer"), unicode(0, 20),
                Arbitraries.of(true, false)).as((property, type, description, required) -> {
                    ObjectNode s = MAPPER.createObjectNode().put("type", "object");
                    s.putObject("properties").putObject(property).put("type", type).put("description", description);
                    if (required) {
                        s.putArray("required").add(property);
                    }
                    return JsonSchema.of(s.toString());
                });
    }

    static Arbitrary<List<ToolSpec>> toolSpecs() {
        return Combinators.combine(names(), unicode(0, 30), schemas()).as(ToolSpec::new)
                .list().ofMaxSize(3).uniqueElements(ToolSpec::name);
    }

    static Arbitrary<ResponseFormat> formats() {
        return Arbitraries.oneOf(Arbitraries.just(ResponseFormat.TEXT), Arbitraries.just(ResponseFormat.JSON_OBJECT),
                Combinators.combine(names(), schemas(), Arbitraries.of(true, false)).as(ResponseFormat.JsonSchemaFormat::new));
    }

    /** A user turn, then the assistant's text or calls, the calls each answered by a tool message. */
    static Arbitrary<List<ChatMessage>> turn() {
        Arbitrary<List<ChatMessage>> answered = Combinators.combine(unicode(0, 20), toolCalls().list().ofMinSize(1).ofMaxSize(3),
                unicode(0, 20)).as((said, calls, result) -> {
                    List<ChatMessage> out = new ArrayList<>();
                    out.add(ChatMessage.assistant(said, calls));
                    calls.forEach(c -> out.add(ChatMessage.toolResult(c.id(), result)));
                    return out;
                });
        Arbitrary<List<ChatMessage>> reply = Arbitraries.oneOf(answered, unicode(0, 20).map(t -> List.of(ChatMessage.assistant(t))),
                Arbitraries.just(List.of()));
        return Combinators.combine(unicode(0, 30), reply).as((user, rest) -> {
            List<ChatMessage> out = new ArrayList<>();
            out.add(ChatMessage.user(user));
            out.addAll(rest);
            return out;
        });
    }

    static Arbitrary<List<ChatMessage>> conversations() {
        // An empty system message says nothing, and the reader leaves it out (it joins system messages).
        return Combinators.combine(unicode(1, 30).optional(), turn().list().ofMinSize(1).ofMaxSize(3)).as((system, turns) -> {
            List<ChatMessage> out = new ArrayList<>();
            system.ifPresent(s -> out.add(ChatMessage.system(s)));
            turns.forEach(out::addAll);
            return out;
        });
    }

    static Arbitrary<ToolChoice> choices(List<ToolSpec> tools) {
        if (tools.isEmpty()) {
            return Arbitraries.just(ToolChoice.AUTO);
        }
        return Arbitraries.oneOf(Arbitraries.of(ToolChoice.AUTO, ToolChoice.NONE, ToolChoice.REQUIRED),
                Arbitraries.of(tools).map(t -> ToolChoice.named(t.name())));
    }

    @Provide
    Arbitrary<ChatRequest> requests() {
        Arbitrary<List<String>> stops = unicode(1, 6).list().ofMaxSize(3);
        return Combinators.combine(conversations(), toolSpecs(), Arbitraries.integers().between(1, 1_000_000),
                Arbitraries.doubles().between(0, 2).ofScale(6).optional(), Arbitraries.longs().optional(), stops,
                Arbitraries.of(true, false), formats()).flatAs((messages, tools, max, temperature, seed, stop, parallel, format) ->
                        choices(tools).map(choice -> new ChatRequest(messages, max,
                                temperature.map(OptionalDouble::of).orElse(OptionalDouble.empty()),
                                seed.map(OptionalLong::of).orElse(OptionalLong.empty()), stop, tools, choice,
                                tools.isEmpty() || parallel, format)));
    }

    static Arbitrary<Usage> usages() {
        return Combinators.combine(Arbitraries.integers().between(0, 1_000_000), Arbitraries.integers().between(0, 1_000_000))
                .as(Usage::new);
    }

    /** How an answer with (or without) calls can end, as the wire tells it. */
    static Arbitrary<FinishReason> finishes(boolean hasCalls) {
        return Arbitraries.of(hasCalls ? FinishReason.TOOL_CALLS : FinishReason.STOP, FinishReason.LENGTH);
    }

    @Provide
    Arbitrary<ChatResponse> responses() {
        return Combinators.combine(unicode(0, 40), toolCalls().list().ofMaxSize(3), unicode(0, 40), usages(),
                Arbitraries.longs().between(0, 600_000)).flatAs((text, calls, reasoning, usage, millis) ->
                        finishes(!calls.isEmpty()).map(finish ->
                                new ChatResponse(text, finish, usage, Duration.ofMillis(millis), calls, reasoning)));
    }

    /** One call's pieces: the first names it (with a first fragment, maybe empty), the others carry fragments. */
    static Arbitrary<List<Piece>> callPieces(int index) {
        return Combinators.combine(unicode(1, 12).filter(id -> !id.isBlank()), names(), unicode(0, 8),
                unicode(1, 8).list().ofMaxSize(4)).as((id, name, first, more) -> {
                    List<Piece> out = new ArrayList<>();
                    out.add(new Call(new ToolCallDelta(index, id, name, first)));
                    more.forEach(f -> out.add(new Call(new ToolCallDelta(index, "", "", f))));
                    return out;
                });
    }

    @Provide
    Arbitrary<Script> scripts() {
        Arbitrary<List<Piece>> said = Arbitraries.<Piece>oneOf(unicode(1, 8).map(Text::new), unicode(1, 8).map(Thought::new))
                .list().ofMaxSize(8);
        Arbitrary<List<Piece>> calls = Arbitraries.integers().between(0, 3).flatMap(n -> {
            List<Arbitrary<List<Piece>>> each = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                each.add(callPieces(i));
            }
            return Combinators.combine(each).as(lists -> lists.stream().flatMap(List::stream).toList());
        });
        return Combinators.combine(said, calls, usages()).flatAs((s, c, usage) -> finishes(!c.isEmpty()).map(finish -> {
            List<Piece> pieces = new ArrayList<>(s);
            pieces.addAll(c);
            return new Script(pieces, finish, usage);
        }));
    }

    private static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
