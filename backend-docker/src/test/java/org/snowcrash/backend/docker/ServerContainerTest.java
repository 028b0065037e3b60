package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;


import org.junit.jupiter.api.Test;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;

/** The container definition, checked without an engine. */
class ServerContainerTest {

    private static final ModelSpec SPEC = ModelSpec.builder("demo", Path.of("/srv/models/demo/demo.gguf"))
            .threads(2).startupTimeout(Duration.ofMinutes(2)).build();
    private static final ContainerOptions OPTIONS = ContainerOptions.from(Settings.of(Map.of(
            "model.demo.shm-size", "1g", "model.demo.args", "--flash-attn on"), "test"), "demo");

    private static DockerSettings settings(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return DockerSettings.from(Settings.of(m, "test"), Map.of());
    }

    private static ServerContainer.Plan plan(DockerSettings s, List<String> serverCommand) {
        return ServerContainer.plan(s, OPTIONS, SPEC, serverCommand, "1001:1001", org.snowcrash.machine.GpuAccess.NONE);
    }

    @Test
    void theServerCommandLineCarriesEverySettingAndTheKeyFile() {
        ServerContainer.Plan p = plan(settings(), List.of("/app/llama-server"));
        assertEquals(List.of("/app/llama-server", "--host", "0.0.0.0", "--port", "8090", "-m", "/models/demo.gguf",
                "-ngl", "8", "-c", "512", "-b", "128", "-np", "1", "--cors-origins", "http://127.0.0.1",
                "--api-key-file", "/run/snowcrash/key", "--jinja", "-t", "2", "--cache-ram", "512", "--flash-attn", "on"), p.cmd());
        assertEquals(List.of("OMP_WAIT_POLICY=PASSIVE"), p.env(), "OpenMP threads sleep between steps, not spin");
        assertEquals("snowcrash-demo-server", p.name());
        assertEquals("ghcr.io/ggml-org/llama.cpp:server", p.image());
        assertEquals("1001:1001", p.user());
    }

    @Test
    void thePromptCacheIsBoundedToFitTheContainer() {
        // auto: a quarter of the 2 GiB default limit; a size; off passes nothing (images that lack the flag).
        assertEquals(java.util.OptionalLong.of(512), ServerContainer.cacheRamMib(settings(), OPTIONS));
        assertEquals(java.util.OptionalLong.of(256),
                ServerContainer.cacheRamMib(settings("backend.docker.cache-ram", "256m"), OPTIONS));
        assertFalse(plan(settings("backend.docker.cache-ram", "off"), List.of("x")).cmd().contains("--cache-ram"));
    }

    @Test
    void theSlotCountIsAlwaysExplicit() {
        ModelSpec four = SPEC.toBuilder().parallel(4).build();
        List<String> cmd = ServerContainer.plan(settings(), OPTIONS, four, List.of("llama-server"),
                "1001:1001", org.snowcrash.machine.GpuAccess.NONE).cmd();
        int np = cmd.indexOf("-np");
        assertEquals("4", cmd.get(np + 1));
        assertEquals(1, cmd.stream().filter("-np"::equals).count());
    }

    @Test
    void theEntrypointBindsTheContainerToItsOwnerAndKeepsTheKeyOffTheCommandLine() {
        ServerContainer.Plan p = plan(settings(), List.of("llama-server"));
        assertEquals(List.of("/bin/sh", "-c", ServerContainer.WRAPPER, "snowcrash"), p.entrypoint());
        assertTrue(ServerContainer.WRAPPER.contains("IFS= read -r key"), "the key comes on stdin");
        assertTrue(ServerContainer.WRAPPER.contains("cat <&3"), "the end of stdin stops the server");
        assertFalse(String.join(" ", p.cmd()).matches(".*--api-key(\\s|$).*"), "no key on the command line");
    }

    @Test
    void theHostConfigurationIsLockedDown() {
        HostConfig hc = plan(settings(), List.of("llama-server")).hostConfig();
        assertEquals(List.of(new Bind("/srv/models/demo", new com.github.dockerjava.api.model.Volume("/models"), AccessMode.ro)),
                List.of(hc.getBinds()));
        assertEquals(Map.of("/run/snowcrash", "rw,noexec,nosuid,nodev,size=64k,mode=1777"), hc.getTmpFs());
        assertEquals(List.of("no-new-privileges"), hc.getSecurityOpts());
        assertEquals(List.of(Capability.ALL), List.of(hc.getCapDrop()));
        assertTrue(hc.getAutoRemove());
        assertEquals(2L << 30, hc.getMemory(), "the default limit");
        assertEquals(2L << 30, hc.getMemorySwap(), "no swap");
        assertEquals(1L << 30, hc.getShmSize());
        assertEquals("127.0.0.1", hc.getPortBindings().getBindings().values().iterator().next()[0].getHostIp());
    }

    @Test
    void hostModeListensOnTheBindAddressAndPublishesNothing() {
        ServerContainer.Plan p = plan(settings("backend.docker.network", "host", "backend.docker.bind-address", "::1"),
                List.of("llama-server"));
        assertEquals("host", p.hostConfig().getNetworkMode());
        assertEquals("::1", p.cmd().get(p.cmd().indexOf("--host") + 1));
    }

    @Test
    void labelsNameTheOwnerAndKeepTheUsersOwn() {
        Map<String, String> labels = plan(settings("backend.docker.labels", "fleet=robot-7,site=lab"), List.of("x")).labels();
        assertEquals("robot-7", labels.get("fleet"));
        assertEquals("lab", labels.get("site"));
        assertEquals(Labels.OWNER_ID, labels.get(Labels.OWNER));
        assertEquals("demo", labels.get(Labels.MODEL));
        assertEquals(Labels.ATTACHED, labels.get(Labels.LIFETIME));
    }

    @Test
    void containerOptionsHaveTheOriginalDefaultsAndOneCheck() {
        ContainerOptions llama = ContainerOptions.from(Settings.empty(), "llama");
        assertEquals(8080, llama.port());
        assertEquals("snowcrash-llama-server", llama.containerName());
        assertEquals(2L << 30, llama.memoryBytes());
        assertEquals("snowcrash-phi3-server", ContainerOptions.from(Settings.empty(), "phi-3").containerName());
        ContainerOptions mine = ContainerOptions.from(Settings.empty(), "mine");
        assertEquals(0, mine.port(), "a free port is chosen at start");
        assertEquals("snowcrash-mine-server", mine.containerName());
        org.snowcrash.api.ConfigurationException e = assertThrows(org.snowcrash.api.ConfigurationException.class,
                () -> ContainerOptions.from(Settings.of(Map.of("model.mine.container", "bad name",
                        "model.mine.port", "eighty"), "file x"), "mine"));
        assertEquals(2, e.problems().size(), e.getMessage());
    }

    @Test
    void anImageWithoutEntrypointAndNoPrefixIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan(settings(), List.of()));
        assertTrue(e.getMessage().contains("backend.docker.command-prefix"), e.getMessage());
    }
}
