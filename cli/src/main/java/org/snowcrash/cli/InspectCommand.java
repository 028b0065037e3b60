package org.snowcrash.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.snowcrash.models.MemoryEstimator;
import org.snowcrash.models.gguf.GgufException;
import org.snowcrash.models.gguf.GgufFile;
import org.snowcrash.models.gguf.GgufReader;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code snowcrash inspect FILE}: the GGUF facts of a file, one {@code key: value} per line. */
@Command(name = "inspect", description = "Print the GGUF facts of a file; a non-GGUF or corrupt file exits with 2.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "A GGUF file.")
    Path file;

    @Option(names = {"-c", "--ctx-size"}, defaultValue = "512", description = "Context size for the memory estimate (default: ${DEFAULT-VALUE}).")
    int contextSize;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "128", description = "Batch size for the memory estimate (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        GgufFile g;
        try {
            g = GgufReader.read(file);
        } catch (GgufException e) {
            System.err.println("snowcrash: " + file + ": " + e.getMessage());
            return Errors.BAD_INPUT;
        }
        out.println("file: " + file);
        out.println("version: " + g.version());
        out.println("architecture: " + g.architecture().orElse("unknown"));
        out.println("name: " + g.string("general.name").orElse("unknown"));
        out.println("context length: " + show(g.archInteger("context_length")));
        out.println("embedding length: " + show(g.archInteger("embedding_length")));
        out.println("block count: " + show(g.archInteger("block_count")));
        out.println("head count: " + show(g.archInteger("attention.head_count")));
        out.println("head count kv: " + show(g.archInteger("attention.head_count_kv")));
        out.println("vocabulary size: " + show(g.vocabularySize()));
        out.println("tensor count: " + g.tensors().size());
        out.println("file type: " + g.fileType().orElse("unknown"));
        out.println("metadata keys: " + g.metadata().size());
        out.println("chat template: " + (g.string("tokenizer.chat_template").isPresent() ? "yes" : "no"));
        out.println("file size: " + g.fileSize());
        out.println("memory estimate: " + memory(g));
        return 0;
    }

    /** The estimate for llama-server as Snowcrash starts it, or why there is none. */
    private String memory(GgufFile g) {
        if (contextSize < 1 || batchSize < 1) {
            return "unknown (context and batch size must be positive)";
        }
        try {
            return MemoryEstimator.estimate(g, MemoryEstimator.Settings.of(contextSize, batchSize)).describe()
                    + " with -c " + contextSize + " -b " + batchSize;
        } catch (IllegalArgumentException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String show(java.util.OptionalLong v) {
        return v.isPresent() ? String.valueOf(v.getAsLong()) : "unknown";
    }
}
