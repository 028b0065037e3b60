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
        return DockerTestSupport.context();
    }

    @Override
    protected ModelSpec spec(Path file) {
        return ModelSpec.builder("contract", file).port(DockerTestSupport.freePort()).containerName("snowcrash-test-contract")
                .memoryBytes(512L << 20).shmBytes(64L << 20).startupTimeout(Duration.ofSeconds(60)).build();
    }
}
