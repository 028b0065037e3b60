package org.snowcrash.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.snowcrash.registry.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** Spring's properties under {@code snowcrash.} as Snowcrash's keys, with Spring's precedence and origins. */
class EnvironmentSettingsTest {

    private static StandardEnvironment environment(Map<String, Object> high, Map<String, Object> low) {
        StandardEnvironment env = new StandardEnvironment();
        // Not the real process environment: only what the test says.
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        env.getPropertySources().addLast(new MapPropertySource("high", high));
        env.getPropertySources().addLast(new MapPropertySource("low", low));
        return env;
    }

    @Test
    void keysMapToSnowcrashNamesAndTheStartersOwnStayOut() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("snowcrash.backend.docker.image", "img:1");
        props.put("snowcrash.model.demo.ctx-size", "256");
        props.put("snowcrash.models.dir", "/m");
        props.put("snowcrash.spring.model", "demo");
        props.put("other.key", "x");
        Configuration c = EnvironmentSettings.read(environment(props, Map.of()));
        assertEquals(Optional.of("img:1"), c.get("backend.docker.image"));
        assertEquals(Optional.of("256"), c.get("model.demo.ctx-size"));
        assertEquals(Optional.of("/m"), c.get("snowcrash.models.dir"));
        assertFalse(c.keys().stream().anyMatch(k -> k.contains("spring") || k.contains("other")), c.keys().toString());
    }

    @Test
    void higherSourcesWinListsAreJoinedAndEachValueKnowsItsSource() {
        Map<String, Object> low = new LinkedHashMap<>();
        low.put("snowcrash.model.demo.port", "1");
        low.put("snowcrash.backend.remote.endpoints[0]", "http://a/v1");
        low.put("snowcrash.backend.remote.endpoints[1]", "http://b/v1");
        Configuration c = EnvironmentSettings.read(environment(Map.of("snowcrash.model.demo.port", "2"), low));
        assertEquals(Optional.of("2"), c.get("model.demo.port"));
        assertTrue(c.sourceOf("model.demo.port").contains("high"), c.sourceOf("model.demo.port"));
        assertEquals(Optional.of("http://a/v1,http://b/v1"), c.get("backend.remote.endpoints"));
    }

    @Test
    void namesMapBothWays() {
        for (String key : List.of("backend.docker.image", "model.phi-3.port", "serve.port", "snowcrash.agent.recovery")) {
            assertEquals(key, EnvironmentSettings.snowcrashKey(EnvironmentSettings.springName(key)));
        }
        assertEquals("snowcrash.backend.docker.image", EnvironmentSettings.springName("backend.docker.image"));
    }
}
