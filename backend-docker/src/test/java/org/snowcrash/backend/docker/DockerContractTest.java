package org.snowcrash.backend.docker;

import java.nio.file.Path;
import java.time.Duration;

import org.snowcrash.api.BackendContext;
import org.snowcrash.api.LlmBackend;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.tck.LlmBackendContract;

/** The shared backend contract, against a real engine and llama-server. */
@RequiresDocker
class DockerContractTest extends LlmBackendContract {

    @Override
    protected LlmBackend newBackend() {
        return new DockerBackend();
    }

    @Override
    protected BackendContext context() {
        // The contract's model is "contract": its container keys, as a user would set them.
        return DockerTestSupport.context("model.contract.port", String.valueOf(DockerTestSupport.freePort()),
                "model.contract.container", "snowcrash-test-contract-" + DockerTestSupport.RUN.substring(0, 8),
                "model.contract.memory", "512m", "model.contract.shm-size", "64m");
    }

    @Override
    protected ModelSpec spec(Path file) {
        return ModelSpec.builder("contract", file).startupTimeout(Duration.ofSeconds(60)).build();
    }
}
