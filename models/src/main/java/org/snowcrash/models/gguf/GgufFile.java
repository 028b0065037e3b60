package org.snowcrash.models.gguf;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a GGUF file's header says: version, metadata, tensor descriptors and layout.
 *
 * @param version    format version (2 or 3)
 * @param metadata   key/value metadata in file order
 * @param tensors    tensor descriptors in file order
 * @param alignment  data alignment ({@code general.alignment}, default 32)
 * @param dataOffset where the tensor data section starts
 * @param fileSize   the file's size in bytes
 */
public record GgufFile(int version, Map<String, GgufValue> metadata, List<TensorInfo> tensors,
                       long alignment, long dataOffset, long fileSize) {

    public GgufFile {
        metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
        tensors = List.copyOf(tensors);
    }

    /** {@code general.architecture}, if set. */
    public Optional<String> architecture() {
        return string("general.architecture");
    }

    /** A string value. */
    public Optional<String> string(String key) {
        GgufValue v = metadata.get(key);
        return v != null && v.value() instanceof String ? Optional.of((String) v.value()) : Optional.empty();
    }

    /** An integer value. */
    public OptionalLong integer(String key) {
        GgufValue v = metadata.get(key);
        return v != null && v.value() instanceof Long ? OptionalLong.of((Long) v.value()) : OptionalLong.empty();
    }

    /** An integer value under the architecture's prefix: {@code archInteger("context_length")}. */
    public OptionalLong archInteger(String suffix) {
        return architecture().map(a -> integer(a + "." + suffix)).orElse(OptionalLong.empty());
    }

    /** The number of tokens in {@code tokenizer.ggml.tokens}, if present. */
    public OptionalLong vocabularySize() {
        GgufValue v = metadata.get("tokenizer.ggml.tokens");
        return v != null && v.value() instanceof GgufValue.Array
                ? OptionalLong.of(((GgufValue.Array) v.value()).size()) : OptionalLong.empty();
    }

    /** {@code general.file_type} with its llama.cpp name when known: {@code "15 (Q4_K_M)"}. */
    public Optional<String> fileType() {
        OptionalLong t = integer("general.file_type");
        if (t.isEmpty()) {
            return Optional.empty();
        }
        String name = FileTypes.name((int) t.getAsLong());
        return Optional.of(t.getAsLong() + (name == null ? "" : " (" + name + ")"));
    }
}
