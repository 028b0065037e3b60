package org.snowcrash.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.snowcrash.models.AutoGpuLayers;
import org.snowcrash.models.CatalogEntry;
import org.snowcrash.models.MemoryEstimate;
import org.snowcrash.models.MemoryEstimator;
import org.snowcrash.models.ModelCatalog;
import org.snowcrash.models.gguf.GgufException;
import org.snowcrash.models.gguf.GgufFile;
import org.snowcrash.models.gguf.GgufReader;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code snowcrash models}: the catalog, whether each file is present, and its GGUF facts. */
@Command(name = "models", description = "List the model catalog and which files are present.")
final class ModelsCommand implements Callable<Integer> {

    @ParentCommand
    SnowcrashCommand root;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        ModelCatalog catalog = ModelCatalog.from(root.configuration());
        out.println("models directory: " + catalog.modelsDir());
        for (CatalogEntry e : catalog.entries()) {
            Path file = catalog.fileOf(e);
            String state;
            if (!Files.exists(file)) {
                state = e.synthesized() ? "missing (written on first use)"
                        : "missing" + catalog.pullCommand(e.id()).map(c -> " (get it with: " + c + ")").orElse("");
            } else {
                try {
                    GgufFile g = GgufReader.read(file);
                    state = "present, " + g.architecture().orElse("?") + ", ctx "
                            + g.archInteger("context_length").orElse(-1) + ", " + g.tensors().size() + " tensors, "
                            + g.fileType().orElse("type ?") + ", " + Files.size(file) + " bytes, " + memory(g, e);
                } catch (GgufException | java.io.IOException ex) {
                    state = "present but invalid: " + ex.getMessage();
                }
            }
            out.printf("%-8s %-45s -ngl %s -c %d -b %d: %s%n", e.id(), e.file(),
                    e.gpuLayers() == AutoGpuLayers.AUTO ? "auto" : String.valueOf(e.gpuLayers()),
                    e.contextSize(), e.batchSize(), state);
        }
        return 0;
    }

    /** {@code memory ~68.3 MiB (weights ..., runtime ...)} at the entry's context and batch sizes. */
    private static String memory(GgufFile g, CatalogEntry e) {
        try {
            MemoryEstimate m = MemoryEstimator.estimate(g, MemoryEstimator.Settings.of(e.contextSize(), e.batchSize()));
            return "memory " + m.describe();
        } catch (IllegalArgumentException ex) {
            return "memory unknown (" + ex.getMessage() + ")";
        }
    }
}
