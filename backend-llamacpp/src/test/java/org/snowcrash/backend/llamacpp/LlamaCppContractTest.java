package org.snowcrash.backend.llamacpp;

import java.nio.file.Path;

import org.snowcrash.api.BackendContext;
import org.snowcrash.api.LlmBackend;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.tck.LlmBackendContract;

/** The shared backend contract, against real llama.cpp in this JVM. */
class LlamaCppContractTest extends LlmBackendContract {

    @Override
    protected LlmBackend newBackend() {
        return new LlamaCppBackend();
    }

    @Override
    protected BackendContext context() {
        return BackendContext.of(Settings.empty());
    }

    @Override
    protected ModelSpec spec(Path file) {
        return ModelSpec.builder("contract", file).contextSize(256).gpuLayers(0).build();
    }
}
