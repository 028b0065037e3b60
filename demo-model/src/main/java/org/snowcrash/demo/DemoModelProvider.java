package org.snowcrash.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.ToolFormat;
import org.snowcrash.models.CatalogEntry;
import org.snowcrash.models.SynthesizedModel;

/**
 * Puts the demo model in the catalog as the built-in {@code demo} ({@code ./models/demo/snowcrash-demo.gguf},
 * copied from this jar on first use). Found by {@link java.util.ServiceLoader}; a public no-argument
 * constructor that does nothing.
 */
public final class DemoModelProvider implements SynthesizedModel {

    private static final CatalogEntry ENTRY = new CatalogEntry("demo", "demo/snowcrash-demo.gguf", ModelSpec.DEFAULT_GPU_LAYERS,
            ModelSpec.DEFAULT_CONTEXT_SIZE, ModelSpec.DEFAULT_BATCH_SIZE, 0, ModelSpec.DEFAULT_STARTUP_TIMEOUT, true,
            "tiny llama trained on synthetic robot dialogues, shipped in the jar, copied here on first use", Optional.empty(), 1,
            // Trained on Snowcrash's own tool format (docs/tool-format.md), not a template's.
            ToolFormat.SNOWCRASH);

    @Override
    public CatalogEntry entry() {
        return ENTRY;
    }

    @Override
    public boolean isCurrent(Path file) throws IOException {
        return DemoModel.isCurrent(file);
    }

    @Override
    public void install(Path target) throws IOException {
        DemoModel.install(target);
    }

    @Override
    public Optional<String> suggestedSystemPrompt() {
        return Optional.of(DemoModel.SCENE);
    }
}
