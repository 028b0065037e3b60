package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.models.gguf.GgmlType;
import org.snowcrash.models.gguf.GgufFile;
import org.snowcrash.models.gguf.GgufReader;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;

/**
 * Our reader on a GGUF file written by llama.cpp's own writer: {@code llama-quantize} from the
 * test image turns our F32 model into Q8_0.
 */
@RequiresDocker
class ForeignGgufTest {

    @TempDir
    Path dir;

    @Test
    void readsAFileWrittenByLlamaCppsQuantizer() throws Exception {
        TinyLlama.demo().write(dir.resolve("f32.gguf"));
        try (DockerClient docker = DockerTestSupport.client()) {
            String id = docker.createContainerCmd(DockerCondition.IMAGE)
                    .withEntrypoint("/usr/bin/llama-quantize")
                    .withCmd(List.of("/work/f32.gguf", "/work/q8.gguf", "Q8_0"))
                    .withHostConfig(HostConfig.newHostConfig().withBinds(new Bind(dir.toString(), new Volume("/work"), AccessMode.rw)))
                    .exec().getId();
            try {
                docker.startContainerCmd(id).exec();
                int code = docker.waitContainerCmd(id).start().awaitStatusCode(120, TimeUnit.SECONDS);
                assertEquals(0, code, "llama-quantize failed");
            } finally {
                docker.removeContainerCmd(id).withForce(true).exec();
            }
        }
        GgufFile q = GgufReader.read(dir.resolve("q8.gguf"));
        assertEquals("7 (Q8_0)", q.fileType().orElseThrow());
        assertTrue(q.integer("general.quantization_version").isPresent(), "written by llama.cpp");
        assertEquals("llama", q.architecture().orElseThrow());
        assertEquals(64, q.archInteger("embedding_length").getAsLong());
        assertEquals(TinyLlama.vocabulary().size(), q.vocabularySize().getAsLong());
        assertEquals(21, q.tensors().size());
        assertTrue(q.tensors().stream().anyMatch(t -> t.type() == GgmlType.Q8_0), q.tensors().toString());
    }
}
