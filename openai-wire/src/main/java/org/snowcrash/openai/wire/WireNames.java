package org.snowcrash.openai.wire;

/**
 * The field names of OpenAI's chat-completions JSON, each written once: the encoders and decoders of
 * this package read and write through these constants, so a name cannot differ between the side that
 * writes a field and the side that reads it.
 */
public final class WireNames {

    // The request.
    public static final String MODEL = "model";
    public static final String MESSAGES = "messages";
    public static final String MAX_TOKENS = "max_tokens";
    public static final String MAX_COMPLETION_TOKENS = "max_completion_tokens";
    public static final String TEMPERATURE = "temperature";
    public static final String SEED = "seed";
    public static final String STOP = "stop";
    public static final String STREAM = "stream";
    public static final String STREAM_OPTIONS = "stream_options";
    public static final String INCLUDE_USAGE = "include_usage";
    public static final String TOOLS = "tools";
    public static final String TOOL_CHOICE = "tool_choice";
    public static final String PARALLEL_TOOL_CALLS = "parallel_tool_calls";
    public static final String RESPONSE_FORMAT = "response_format";
    public static final String JSON_SCHEMA = "json_schema";
    public static final String SCHEMA = "schema";
    public static final String STRICT = "strict";
    public static final String DESCRIPTION = "description";
    public static final String PARAMETERS = "parameters";

    // Messages and calls.
    public static final String ROLE = "role";
    public static final String CONTENT = "content";
    public static final String TEXT = "text";
    public static final String TOOL_CALLS = "tool_calls";
    public static final String TOOL_CALL_ID = "tool_call_id";
    public static final String FUNCTION_CALL = "function_call";
    public static final String ID = "id";
    public static final String TYPE = "type";
    public static final String FUNCTION = "function";
    public static final String NAME = "name";
    public static final String ARGUMENTS = "arguments";
    public static final String INDEX = "index";
    public static final String REASONING_CONTENT = "reasoning_content";

    // The answer.
    public static final String OBJECT = "object";
    public static final String CREATED = "created";
    public static final String SYSTEM_FINGERPRINT = "system_fingerprint";
    public static final String CHOICES = "choices";
    public static final String MESSAGE = "message";
    public static final String DELTA = "delta";
    public static final String REFUSAL = "refusal";
    public static final String LOGPROBS = "logprobs";
    public static final String FINISH_REASON = "finish_reason";
    public static final String USAGE = "usage";
    public static final String PROMPT_TOKENS = "prompt_tokens";
    public static final String COMPLETION_TOKENS = "completion_tokens";
    public static final String TOTAL_TOKENS = "total_tokens";
    public static final String PROMPT_TOKENS_DETAILS = "prompt_tokens_details";
    public static final String CACHED_TOKENS = "cached_tokens";
    /** llama-server's own counts, next to (or instead of) {@link #USAGE}. */
    public static final String TIMINGS = "timings";
    public static final String ERROR = "error";

    // Values.
    public static final String FUNCTION_TYPE = "function";
    public static final String CHAT_COMPLETION = "chat.completion";
    public static final String CHAT_COMPLETION_CHUNK = "chat.completion.chunk";

    private WireNames() {
    }
}
