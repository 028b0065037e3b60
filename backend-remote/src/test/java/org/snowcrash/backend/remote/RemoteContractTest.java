package org.snowcrash.backend.remote;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.LlmBackend;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.tck.LlmBackendContract;
import org.snowcrash.testkit.docker.LlamaServerContainer;
import org.snowcrash.testkit.docker.RequiresLlamaServer;

/**
 * The shared backend contract against a real llama-server. The remote backend does not read model
 * files: it asks the server for the model by name, so a spec's id is its file's name, and the
 * server serves the contract's model as {@code contract-demo} (a missing file is a model no
 * server serves: a typed start failure, as the contract wants).
 */
@RequiresLlamaServer
class RemoteContractTest extends LlmBackendContract {

    private static Path dir;
    private static LlamaServerContainer server;

    @BeforeAll
    static void startServer() throws Exception {
        dir = Files.createTempDirectory("remote-contract");
        Path model = dir.resolve("contract-demo.gguf");
        TinyLlama.demo().write(model);
        server = LlamaServerContainer.of(model).alias("contract-demo").apiKey("contract-key").start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
        LlamaServerContainer.removeOwn();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Override
    protected LlmBackend newBackend() {
        return new RemoteBackend();
    }

    @Override
    protected BackendContext context() {
        // Debian's llama-server holds a JSON schema but does not force a call (docs/tools-servers.md):
        // declared as an operator of such a server would, so the contract checks what it holds.
        return BackendContext.of(Settings.of(Map.of("backend.remote.endpoints", server.url(),
                "backend.remote.api-key", "contract-key", "backend.remote.capabilities", "json-schema")));
    }

    @Override
    protected ModelSpec spec(Path file) {
        String name = file.getFileName().toString().replaceAll("\\.gguf$", "");
        return ModelSpec.builder(name, file).build();
    }
}
