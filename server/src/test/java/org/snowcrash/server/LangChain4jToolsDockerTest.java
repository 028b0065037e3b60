package org.snowcrash.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.snowcrash.backend.docker.RequiresDocker;
import org.snowcrash.testkit.docker.LlamaServerContainer;

/** {@link LangChain4jToolsContract} on the Docker backend (llama-server in a container). */
@RequiresDocker
class LangChain4jToolsDockerTest extends LangChain4jToolsContract {

    @BeforeAll
    static void startServer() {
        start(DockerRun.settings(ServeTestSupport.demoModels(), ""));
    }

    @AfterAll
    static void nothingLeft() throws Exception {
        stop();
        List<String> left = LlamaServerContainer.containers();
        LlamaServerContainer.removeOwn();
        assertEquals(List.of(), left, "containers left behind");
    }
}
