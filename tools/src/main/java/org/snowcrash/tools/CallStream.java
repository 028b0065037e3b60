package org.snowcrash.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolCallDelta;

/**
 * Reads a streaming answer in Snowcrash's tool format as it arrives, and hands it on: a text answer
 * piece by piece as text, a call as {@link ToolCallDelta}s (id and name once the model has written
 * them, then the arguments in fragments as they come), so a viewer sees a call forming as it would
 * from an OpenAI server. Which of the two an answer is, is decided by its first non-blank character.
 *
 * <p>One instance per request; not thread-safe (a stream is read on one thread). After the last
 * piece, {@link #finish()} reads the whole answer and returns the same calls, with the ids and
 * arguments the deltas carried.
 */
public final class CallStream implements TokenSink {

    private static final Pattern OPENING =
            Pattern.compile("\\s*\\{\\s*\"name\"\\s*:\\s*\"([a-zA-Z0-9_-]{1,64})\"\\s*,\\s*\"arguments\"\\s*:\\s*\\{");

    private enum Mode { UNDECIDED, TEXT, CALLS }

    private final TokenSink downstream;
    private final StringBuilder answer = new StringBuilder();
    private Mode mode = Mode.UNDECIDED;

    // Calls mode: the current line, and the arguments of the call it holds while they stream.
    private final StringBuilder line = new StringBuilder();
    private final List<String> ids = new ArrayList<>();
    private final List<StringBuilder> arguments = new ArrayList<>();
    private boolean inArguments;
    private int depth;
    private boolean inString;
    private boolean escaped;

    public CallStream(TokenSink downstream) {
        this.downstream = downstream;
    }

    @Override
    public void accept(String piece) {
        answer.append(piece);
        switch (mode) {
            case TEXT -> downstream.accept(piece);
            case CALLS -> calls(piece);
            case UNDECIDED -> {
                if (answer.toString().isBlank()) {
                    return; // leading blanks: not yet known whether text or a call follows
                }
                if (Reading.startsCall(answer)) {
                    mode = Mode.CALLS;
                    calls(answer.toString());
                } else {
                    mode = Mode.TEXT;
                    downstream.accept(answer.toString());
                }
            }
        }
    }

    @Override
    public void reasoning(String piece) {
        downstream.reasoning(piece);
    }

    /** Whether the answer so far is being read as calls. */
    public boolean readingCalls() {
        return mode == Mode.CALLS;
    }

    /** The whole answer as the model wrote it. */
    public String text() {
        return answer.toString();
    }

    /**
     * Reads the whole answer. Calls carry the ids their deltas carried and, as arguments, exactly
     * the fragments' concatenation; a call line that is not complete JSON makes the answer
     * {@link Reading.Malformed}.
     */
    public Reading finish() {
        if (mode == Mode.UNDECIDED && !answer.isEmpty()) {
            downstream.accept(answer.toString());
            mode = Mode.TEXT;
        }
        Reading whole = Reading.of(answer.toString());
        if (!(whole instanceof Reading.Calls c)) {
            return whole;
        }
        if (c.calls().size() != ids.size() || inArguments) {
            return new Reading.Malformed("a call was not written out whole", answer.toString());
        }
        List<ToolCall> calls = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            calls.add(new ToolCall(ids.get(i), c.calls().get(i).name(), arguments.get(i).toString()));
        }
        return new Reading.Calls(calls);
    }

    private void calls(String piece) {
        StringBuilder fragment = new StringBuilder();
        for (int i = 0; i < piece.length(); i++) {
            char ch = piece.charAt(i);
            if (inArguments) {
                fragment.append(ch);
                arguments.get(arguments.size() - 1).append(ch);
                if (track(ch)) { // the arguments object closed
                    inArguments = false;
                    emit(fragment);
                }
                continue;
            }
            if (ch == '\n') {
                line.setLength(0);
                continue;
            }
            line.append(ch);
            Matcher m = OPENING.matcher(line);
            if (m.matches()) {
                String id = CallIds.next();
                ids.add(id);
                arguments.add(new StringBuilder("{"));
                downstream.toolCall(new ToolCallDelta(ids.size() - 1, id, m.group(1), ""));
                fragment.setLength(0);
                fragment.append('{');
                inArguments = true;
                depth = 1;
                inString = false;
                escaped = false;
            }
        }
        emit(fragment);
    }

    private void emit(StringBuilder fragment) {
        if (!fragment.isEmpty() && !ids.isEmpty()) {
            downstream.toolCall(new ToolCallDelta(ids.size() - 1, "", "", fragment.toString()));
        }
        fragment.setLength(0);
    }

    // Follows strings and nesting only as far as needed to see where the arguments object ends;
    // the finished text is parsed by Jackson in finish().
    private boolean track(char ch) {
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (ch == '\\') {
                escaped = true;
            } else if (ch == '"') {
                inString = false;
            }
            return false;
        }
        if (ch == '"') {
            inString = true;
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            depth--;
        }
        return depth == 0;
    }
}
