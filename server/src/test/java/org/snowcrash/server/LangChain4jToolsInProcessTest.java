package org.snowcrash.server;

import org.junit.jupiter.api.BeforeAll;

/** {@link LangChain4jToolsContract} on the in-process backend (java-llama.cpp). */
class LangChain4jToolsInProcessTest extends LangChain4jToolsContract {

    @BeforeAll
    static void startServer() {
        start(ServeTestSupport.inProcess(ServeTestSupport.demoModels()));
    }
}
