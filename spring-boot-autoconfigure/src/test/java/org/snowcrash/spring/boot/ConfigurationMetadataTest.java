package org.snowcrash.spring.boot;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The metadata IDEs complete keys from, as the jar ships it: the configuration processor's for
 * {@code snowcrash.spring.*} merged with ours for Snowcrash's own keys.
 */
class ConfigurationMetadataTest {

    @Test
    void theJarDescribesTheStartersKeysAndSnowcrashsOwn() throws Exception {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertNotNull(in, "the configuration processor wrote the metadata");
            metadata = new ObjectMapper().readTree(in);
        }
        Set<String> names = new HashSet<>();
        for (JsonNode p : metadata.path("properties")) {
            names.add(p.path("name").asText());
            assertTrue(!p.path("description").asText().isBlank(), p.path("name").asText() + " has a description");
        }
        for (String key : List.of("snowcrash.spring.model", "snowcrash.spring.startup", "snowcrash.spring.options.max-tokens",
                "snowcrash.models.dir", "snowcrash.backend.docker.image", "snowcrash.backend.llamacpp.enabled",
                "snowcrash.model.demo.ctx-size", "snowcrash.agent.recovery")) {
            assertTrue(names.contains(key), key + " is described");
        }
    }
}
