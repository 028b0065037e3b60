package org.snowcrash.backend.llamacpp;

import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

import de.kherud.llama.LlamaModel;

/**
 * A model loaded into this process. java-llama.cpp 4.2.0 frees little on close and a closed model
 * still answers, so a loaded model is kept for the life of the process and shared by every
 * session that asks for the same file with the same settings. llama.cpp contexts are not
 * thread-safe, so all use goes through {@link #lock}.
 *
 * @param file      the GGUF file
 * @param settings  the settings it was loaded with (a different set cannot reuse it)
 * @param model     the native model
 * @param addBos    whether the tokenizer adds a beginning-of-sequence token to a prompt
 * @param lock      serializes every call into the native model (fair, so turns keep their order)
 * @param cache     what the model's one slot holds from the previous request (guarded by {@code lock})
 * @param grammars  the grammars built for this model's requests (kept: a robot offers the same tools every turn)
 */
record LoadedModel(Path file, LoadSettings settings, LlamaModel model, boolean addBos, ReentrantLock lock,
                   PromptCache cache, Grammars grammars) {

    /** The settings a model was loaded with. */
    record LoadSettings(int contextSize, int batchSize, int gpuLayers, int threads) {
    }
}
