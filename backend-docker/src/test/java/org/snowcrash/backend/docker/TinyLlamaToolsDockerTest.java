package org.snowcrash.backend.docker;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.ToolFormat;

/**
 * The native tool path ({@link ToolFormat#NATIVE}: tools sent to the server's template) with a
 * random-weight model whose template is plain ChatML: llama-server renders no tools with it and
 * reads no calls, so what holds here is what Snowcrash enforces with a JSON schema, whatever the
 * weights say.
 */
@RequiresDocker
class TinyLlamaToolsDockerTest extends ToolsOnServer {

    @TempDir
    static Path dir;
    private static RunningModel model;

    @BeforeAll
    static void start() throws Exception {
        model = startTinyNative(dir, "tools-tiny");
    }

    @AfterAll
    static void stop() {
        DockerTestSupport.closeAndRemoveOwnContainers(model);
    }

    @Override
    RunningModel model() {
        return model;
    }

    @Override
    int callTokens() {
        return 400; // one token per byte, and the grammar lets a random model add blanks between JSON tokens
    }

    @Override
    boolean promptHoldsTools() {
        return false; // the ChatML template ignores tools (measured: /apply-template renders none)
    }
}
