package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.StartFailure;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.models.gguf.GgufValue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** The Docker backend against a real engine and a real llama-server, with models from our GGUF writer. */
@RequiresDocker
class DockerBackendTest {

    @TempDir
    Path dir;

    private final DockerBackend backend = new DockerBackend();
    private final List<ModelSession> sessions = new ArrayList<>();
    private DockerClient docker;

    @BeforeEach
    void connect() {
        docker = DockerTestSupport.client();
    }

    @AfterEach
    void cleanUp() throws Exception {
        sessions.forEach(ModelSession::close);
        // Nothing a test started may outlive it; other runs' containers on the same engine are left alone.
        DockerTestSupport.removeOwnContainers(docker);
        docker.close();
    }

    private ModelSession start(DockerTestSupport.TestModel model, String... settings) throws BackendStartException {
        ModelSession s = backend.start(model.spec(), model.context(settings));
        sessions.add(s);
        return s;
    }

    private static ChatRequest request(String text, int max) {
        return ChatRequest.of(List.of(ChatMessage.user(text)), max).withTemperature(0).withSeed(3);
    }

    private boolean exists(String name) {
        return docker.listContainersCmd().withShowAll(true).withNameFilter(List.of(name)).exec().stream()
                .anyMatch(c -> List.of(c.getNames()).contains("/" + name));
    }

    @Test
    void startsChatsStreamsCancelsAndRemovesItsContainerOnClose() throws Exception {
        DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "main");
        List<LifecycleEvent> events = new ArrayList<>();
        ModelSession s = backend.start(spec.spec(), new org.snowcrash.api.BackendContext(spec.settings(), events::add));
        sessions.add(s);
        assertEquals("docker", s.info().backendId());
        assertTrue(s.isAlive());
        assertTrue(events.stream().anyMatch(e -> e instanceof LifecycleEvent.Progress));

        InspectContainerResponse inspect = docker.inspectContainerCmd(spec.containerName()).exec();
        Map<String, String> labels = inspect.getConfig().getLabels();
        assertEquals("snowcrash", labels.get(Labels.TOOL));
        assertEquals("demo", labels.get(Labels.MODEL));
        assertEquals(Labels.OWNER_ID, labels.get(Labels.OWNER));
        assertEquals(Labels.ATTACHED, labels.get(Labels.LIFETIME));
        assertEquals(String.valueOf(ProcessHandle.current().pid()), labels.get(Labels.PID));
        assertEquals(DockerTestSupport.RUN, labels.get(DockerTestSupport.RUN_LABEL), "the user's extra labels");
        // The server runs as the caller, never as root, with its life bound to our attach connection.
        com.sun.security.auth.module.UnixSystem me = new com.sun.security.auth.module.UnixSystem();
        assertEquals(me.getUid() + ":" + me.getGid(), inspect.getConfig().getUser());
        assertTrue(inspect.getHostConfig().getAutoRemove());
        assertTrue(inspect.getConfig().getStdinOpen() && inspect.getConfig().getStdInOnce());
        assertTrue(List.of(inspect.getConfig().getEnv()).contains("OMP_WAIT_POLICY=PASSIVE"), "the server's OpenMP threads sleep, not spin");
        List<String> args = List.of(inspect.getArgs());
        assertTrue(args.containsAll(List.of("-ngl", "8", "-c", "512", "-b", "128", "--port", String.valueOf(spec.port()))), args.toString());
        assertEquals(spec.memoryBytes(), inspect.getHostConfig().getMemory());
        assertEquals(spec.shmBytes(), inspect.getHostConfig().getShmSize());
        assertEquals("127.0.0.1", inspect.getHostConfig().getPortBindings().getBindings().values().iterator().next()[0].getHostIp());
        // From the host: the model folder, read-only, and this model's own folder of the slot cache
        // (inside this process's private 0700 folder, docs/slot-cache.md), read-write; nothing else.
        assertEquals(2, inspect.getMounts().size(), inspect.getMounts().toString());
        assertTrue(inspect.getMounts().stream().filter(m -> !m.getDestination().getPath().equals(SlotMount.MOUNT))
                .allMatch(m -> !Boolean.TRUE.equals(m.getRW())), "every other mount is read-only");
        var slots = inspect.getMounts().stream().filter(m -> m.getDestination().getPath().equals(SlotMount.MOUNT))
                .findFirst().orElseThrow();
        assertTrue(slots.getSource().contains("/snowcrash/slots/" + Labels.OWNER_ID + "/demo-"), slots.getSource());
        assertEquals(java.util.Set.of(ServerContainer.SECRETS_MOUNT), inspect.getHostConfig().getTmpFs().keySet(),
                "the key lives on a private tmpfs");
        assertEquals(List.of("no-new-privileges"), inspect.getHostConfig().getSecurityOpts());
        assertEquals("ALL", inspect.getHostConfig().getCapDrop()[0].name());
        assertEquals("http://127.0.0.1", args.get(args.indexOf("--cors-origins") + 1));
        // The API key is in a file on the tmpfs, never in the arguments or the environment.
        assertEquals(ServerContainer.SECRETS_MOUNT + "/key", args.get(args.indexOf("--api-key-file") + 1));
        String[] env = inspect.getConfig().getEnv();
        assertFalse(env != null && String.join(" ", env).toLowerCase().contains("api_key"));

        s.chat(request("hello", 16)); // warm the prompt cache, so both requests below take the same path
        ChatResponse blocking = s.chat(request("hello", 16));
        List<String> pieces = new ArrayList<>();
        ChatResponse streamed = s.stream(request("hello", 16), pieces::add, new Cancellation());
        assertEquals(blocking.text(), streamed.text());
        assertEquals(streamed.text(), String.join("", pieces));
        assertEquals(16, streamed.usage().completionTokens(), "usage from the server's own counts");
        assertEquals(FinishReason.LENGTH, streamed.finishReason());
        assertEquals(blocking.usage().promptTokens(), streamed.usage().promptTokens());
        assertEquals(s.countPromptTokens(request("hello", 16).messages()), streamed.usage().promptTokens());

        Cancellation c = new Cancellation();
        AtomicInteger n = new AtomicInteger();
        ChatResponse cancelled = s.stream(request("a long story", 400), p -> {
            if (n.incrementAndGet() == 2) {
                c.cancel();
            }
        }, c);
        assertEquals(FinishReason.CANCELLED, cancelled.finishReason());
        // The slot is free again: the next request completes normally.
        assertEquals(8, s.chat(request("next", 8)).usage().completionTokens());

        s.close();
        s.close();
        assertFalse(exists(spec.containerName()), "close removes the container");
        ChatException closed = assertThrows(ChatException.class, () -> s.chat(request("x", 2)));
        assertInstanceOf(ChatFailure.Closed.class, closed.failure());
    }

    @Test
    void aCancelReachesTheServerHoweverFastTheMachineIs() throws Exception {
        // One slot, and a generation that never ends by itself (no end-of-stream, context shift,
        // a million tokens): the next request can only be answered if the cancel stopped the first
        // one on the server, whatever the speed of the machine.
        DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "cancel")
                .withArgs("-np", "1", "--context-shift", "--ignore-eos");
        ModelSession s = start(spec);
        Cancellation c = new Cancellation();
        AtomicInteger n = new AtomicInteger();
        ChatResponse cancelled = s.stream(request("go on forever", 1_000_000), p -> {
            if (n.incrementAndGet() == 3) {
                c.cancel();
            }
        }, c);
        assertEquals(FinishReason.CANCELLED, cancelled.finishReason());
        ChatResponse next = java.util.concurrent.CompletableFuture.supplyAsync(() -> s.chat(request("next", 4)))
                .get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(4, next.usage().completionTokens(), "the only slot was free again");
    }

    @Test
    void anIpv6BindAddressServes() throws Exception {
        DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "ipv6");
        ModelSession s = start(spec, "backend.docker.bind-address", "::1");
        assertTrue(s.info().detail().contains("http://[::1]:" + spec.port()), s.info().detail());
        assertEquals("::1", docker.inspectContainerCmd(spec.containerName()).exec().getHostConfig().getPortBindings()
                .getBindings().values().iterator().next()[0].getHostIp());
        assertEquals(2, s.chat(request("hi", 2)).usage().completionTokens());
    }

    @Test
    void severalViewersShareOneServerAndNoAnswerIsMixed() throws Exception {
        ModelSession s = start(DockerTestSupport.demoSpec(dir, "shared"));
        List<String> questions = List.of("alpha", "bravo", "charlie", "delta", "echo", "foxtrot");
        Map<String, String> expected = new java.util.HashMap<>();
        for (String q : questions) {
            expected.put(q, s.stream(request(q, 24), p -> { }, new Cancellation()).text());
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(questions.size());
        try {
            List<java.util.concurrent.Future<String[]>> answers = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (String q : questions) {
                    answers.add(pool.submit(() -> {
                        StringBuilder streamed = new StringBuilder();
                        ChatResponse r = s.stream(request(q, 24), streamed::append, new Cancellation());
                        return new String[] {q, r.text(), streamed.toString(), String.valueOf(r.usage().completionTokens())};
                    }));
                }
            }
            for (java.util.concurrent.Future<String[]> f : answers) {
                String[] a = f.get(120, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(a[1], a[2], "streamed pieces make up the answer");
                assertEquals(24, Integer.parseInt(a[3]), "complete: " + a[0]);
                // Batched decoding may differ in the last bits from a lone request, so "its own answer"
                // means: closer to the answer this question got alone than to any other question's.
                int own = commonPrefix(expected.get(a[0]), a[1]);
                for (String other : questions) {
                    if (!other.equals(a[0]) && !expected.get(other).equals(expected.get(a[0]))) {
                        assertTrue(own > commonPrefix(expected.get(other), a[1]),
                                "the answer to '" + a[0] + "' looks like the answer to '" + other + "'");
                    }
                }
            }
            assertEquals(18, answers.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void requestsWithoutTheApiKeyAreRefused() throws Exception {
        DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "key");
        start(spec);
        OkHttpClient http = new OkHttpClient();
        Request r = new Request.Builder().url("http://127.0.0.1:" + spec.port() + "/v1/chat/completions")
                .post(RequestBody.create("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2}",
                        okhttp3.MediaType.get("application/json"))).build();
        try (Response resp = http.newCall(r).execute()) {
            assertEquals(401, resp.code());
        }
    }

    @Test
    void threeModelsAtOnceOnTheirOwnPorts() throws Exception {
        List<ModelSession> three = new ArrayList<>();
        for (String name : List.of("one", "two", "three")) {
            three.add(start(DockerTestSupport.demoSpec(dir, name)));
        }
        for (ModelSession s : three) {
            assertEquals(4, s.chat(request("hi", 4)).usage().completionTokens(), s.info().detail());
        }
        assertEquals(3, three.stream().map(s -> s.info().detail()).distinct().count());
    }

    @Test
    void aModelTheServerRejectsFailsAtOnceWithItsLogLines() throws Exception {
        // A sound GGUF (our reader accepts it) of an architecture llama.cpp does not know.
        Path file = dir.resolve("alien.gguf");
        TinyLlama.demo().writer("alien").put("general.architecture", GgufValue.string("alien")).write(file);
        DockerTestSupport.TestModel spec = DockerTestSupport.model(
                ModelSpec.builder("alien", file).startupTimeout(Duration.ofSeconds(90)).build(), "alien");
        long t0 = System.nanoTime();
        BackendStartException e = assertThrows(BackendStartException.class, () -> start(spec));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        StartFailure.Exited exited = assertInstanceOf(StartFailure.Exited.class, e.failure());
        assertNotEquals(0, exited.exitCode());
        assertFalse(exited.oomKilled());
        assertTrue(String.join("\n", exited.lastLogLines()).contains("alien"), exited.lastLogLines().toString());
        assertTrue(ms < 60_000, "failed on the exit, not at the 90 s timeout (" + ms + " ms)");
        assertFalse(exists(spec.containerName()), "nothing left behind");
    }

    @Test
    void gpuOnWithoutTheNvidiaRuntimeIsAClearFailure() throws Exception {
        DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "gpu");
        org.junit.jupiter.api.Assumptions.assumeFalse(docker.infoCmd().exec().getRuntimes().containsKey("nvidia"),
                "this engine has the nvidia runtime");
        BackendStartException e = assertThrows(BackendStartException.class, () -> start(spec, "backend.docker.gpu", "on"));
        assertInstanceOf(StartFailure.RuntimeUnavailable.class, e.failure());
        assertTrue(e.getMessage().contains("no nvidia runtime"), e.getMessage());
        assertFalse(exists(spec.containerName()));
        // auto falls back to the default runtime on such an engine.
        assertEquals(2, start(spec, "backend.docker.gpu", "auto").chat(request("hi", 2)).usage().completionTokens());
    }

    @Test
    void hostNetworkModeListensOnLoopback() throws Exception {
        DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "hostnet");
        ModelSession s = start(spec, "backend.docker.network", "host");
        InspectContainerResponse inspect = docker.inspectContainerCmd(spec.containerName()).exec();
        assertEquals("host", inspect.getHostConfig().getNetworkMode());
        List<String> args = List.of(inspect.getArgs());
        assertEquals("127.0.0.1", args.get(args.indexOf("--host") + 1));
        assertEquals(2, s.chat(request("hi", 2)).usage().completionTokens());
    }

    @Test
    void aServerThatSaysHealthyButCannotAnswerIsAFailedStart() throws Exception {
        // A chat template that loads (llama-server checks it with a sample conversation) but fails
        // on the readiness probe's message: /health says 200, every such request fails.
        Path file = dir.resolve("liar.gguf");
        TinyLlama.demo().writer("liar").put("tokenizer.chat_template", GgufValue.string(
                "{% for m in messages %}{% if m['content'] == 'ping' %}{{ raise_exception('lying') }}{% endif %}"
                        + "<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
                        + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")).write(file);
        DockerTestSupport.TestModel spec = DockerTestSupport.model(
                ModelSpec.builder("liar", file).startupTimeout(Duration.ofSeconds(60)).build(), "liar");
        BackendStartException e = assertThrows(BackendStartException.class, () -> start(spec));
        assertInstanceOf(StartFailure.NotAnswering.class, e.failure(), e.getMessage());
        assertFalse(exists(spec.containerName()));
        // With the probe off the same server "starts", which is exactly what the probe is for.
        ModelSession s = start(spec, "backend.docker.liveness-probe", "false");
        assertThrows(ChatException.class, () -> s.chat(request("ping", 1)));
    }

    @Test
    void anImageWhoseEntrypointIsNotTheServerWorksWithACommandPrefix() throws Exception {
        // Like the Jetson images: the entrypoint is a launcher, the command must name the server.
        Path context = Files.createDirectories(dir.resolve("jetson-like"));
        Files.writeString(context.resolve("Dockerfile"), "FROM " + DockerCondition.IMAGE + "\nENTRYPOINT [\"/usr/bin/env\"]\n");
        String tag = "snowcrash/llama-server-test-prefix:latest";
        docker.buildImageCmd(context.toFile()).withTags(java.util.Set.of(tag))
                .exec(new com.github.dockerjava.api.command.BuildImageResultCallback()).awaitImageId(120, java.util.concurrent.TimeUnit.SECONDS);
        try {
            DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "prefix");
            BackendStartException without = assertThrows(BackendStartException.class,
                    () -> start(spec, "backend.docker.image", tag));
            assertInstanceOf(StartFailure.Exited.class, without.failure(), "env cannot run '--host': " + without.getMessage());
            ModelSession s = start(spec, "backend.docker.image", tag, "backend.docker.command-prefix", "llama-server");
            assertEquals(2, s.chat(request("hi", 2)).usage().completionTokens());
            List<String> args = List.of(docker.inspectContainerCmd(spec.containerName()).exec().getArgs());
            // Our entrypoint runs the image's own entrypoint, then the prefix, then the flags.
            assertEquals("llama-server", args.get(args.indexOf("/usr/bin/env") + 1), args.toString());
            s.close();
        } finally {
            docker.removeImageCmd(tag).withForce(true).exec();
        }
    }

    @Test
    void anUnknownImageIsAClearFailure() throws Exception {
        DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "noimage");
        BackendStartException never = assertThrows(BackendStartException.class,
                () -> start(spec, "backend.docker.image", "snowcrash/no-such-image:0"));
        assertInstanceOf(DockerStartFailure.ImageUnavailable.class, never.failure());
        assertTrue(never.getMessage().contains("snowcrash/no-such-image:0"), never.getMessage());
        // With pull=missing the pull is tried, fails (no registry is reachable here), and says so.
        BackendStartException missing = assertThrows(BackendStartException.class,
                () -> start(spec, "backend.docker.image", "snowcrash/no-such-image:0", "backend.docker.pull", "missing"));
        assertInstanceOf(DockerStartFailure.ImageUnavailable.class, missing.failure());
        assertTrue(missing.getMessage().contains("pull failed"), missing.getMessage());
        assertFalse(exists(spec.containerName()));
    }

    @Test
    void aPortInUseIsAClearFailure() throws Exception {
        DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "port");
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), spec.port()));
            BackendStartException e = assertThrows(BackendStartException.class, () -> start(spec));
            DockerStartFailure.PortInUse p = assertInstanceOf(DockerStartFailure.PortInUse.class, e.failure());
            assertEquals(spec.port(), p.port());
        }
        assertFalse(exists(spec.containerName()));
    }

    @Test
    void aForeignContainerWithOurNameIsLeftAlone() throws Exception {
        DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "foreign");
        String id = docker.createContainerCmd(DockerCondition.IMAGE).withName(spec.containerName())
                .withLabels(DockerTestSupport.runLabels(Map.of())).exec().getId();
        BackendStartException e = assertThrows(BackendStartException.class, () -> start(spec));
        assertInstanceOf(DockerStartFailure.NameConflict.class, e.failure());
        assertTrue(e.getMessage().contains("not ours"), e.getMessage());
        assertEquals(id, docker.inspectContainerCmd(spec.containerName()).exec().getId(), "still there, untouched");
    }

    @Test
    void anExitedContainerOfOursIsReplacedButALiveOneIsNot() throws Exception {
        DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "stale");
        Map<String, String> other = DockerTestSupport.runLabels(Labels.forModel("demo", Map.of()));
        other.put(Labels.OWNER, "another-process");
        String stale = exitedContainer(spec.containerName(), other);
        ModelSession s = start(spec);
        assertNotEquals(stale, docker.inspectContainerCmd(spec.containerName()).exec().getId());
        assertThrows(NotFoundException.class, () -> docker.inspectContainerCmd(stale).exec());
        assertEquals(2, s.chat(request("hi", 2)).usage().completionTokens());
        s.close();

        // Running, whatever its pid label says: its owner is alive (the container would have ended otherwise).
        String living = runningContainer(spec.containerName(), other);
        BackendStartException e = assertThrows(BackendStartException.class, () -> start(spec));
        assertInstanceOf(DockerStartFailure.NameConflict.class, e.failure());
        assertTrue(e.getMessage().contains("another-process"), e.getMessage());
        assertEquals(living, docker.inspectContainerCmd(spec.containerName()).exec().getId(), "left running");
    }

    @Test
    void aProcesssFirstStartSweepsExitedContainersButNeverRunningOnesOrOthers() throws Exception {
        // Starts of earlier tests in this JVM swept already: this one plays a fresh process.
        Reaper.forgetSweeps();
        Map<String, String> other = DockerTestSupport.runLabels(Labels.forModel("llama", Map.of()));
        other.put(Labels.OWNER, "another-process");
        // Both carry the pid of a live process (1): the pid is not what decides.
        other.put(Labels.PID, "1");
        String exited = exitedContainer("snowcrash-test-exited-" + DockerTestSupport.RUN.substring(0, 8), other);
        String running = runningContainer("snowcrash-test-running-" + DockerTestSupport.RUN.substring(0, 8), other);
        String created = docker.createContainerCmd(DockerCondition.IMAGE).withLabels(other)
                .withName("snowcrash-test-created-" + DockerTestSupport.RUN.substring(0, 8)).exec().getId();
        String foreign = docker.createContainerCmd(DockerCondition.IMAGE).withLabels(DockerTestSupport.runLabels(Map.of()))
                .withName("snowcrash-test-unlabelled-" + DockerTestSupport.RUN.substring(0, 8)).exec().getId();
        start(DockerTestSupport.demoSpec(dir, "sweeper"));
        assertThrows(NotFoundException.class, () -> docker.inspectContainerCmd(exited).exec());
        assertTrue(docker.inspectContainerCmd(running).exec().getState().getRunning(), "a running container is never swept");
        assertEquals(created, docker.inspectContainerCmd(created).exec().getId(), "created moments ago: its owner may be starting it");
        assertEquals(foreign, docker.inspectContainerCmd(foreign).exec().getId());

        // Swept once per process: the next start does not list the engine again; the command's explicit sweep does.
        String later = exitedContainer("snowcrash-test-later-" + DockerTestSupport.RUN.substring(0, 8), other);
        start(DockerTestSupport.demoSpec(dir, "sweeper-2"));
        assertEquals(later, docker.inspectContainerCmd(later).exec().getId(), "a later start does not sweep again");
        DockerTestSupport.TestModel any = DockerTestSupport.demoSpec(dir, "sweeper-3");
        org.snowcrash.api.Housekeeping.Removal r = backend.sweepLeftovers(any.context());
        assertTrue(r.removed().contains("snowcrash-test-later-" + DockerTestSupport.RUN.substring(0, 8)), r.toString());
        assertThrows(NotFoundException.class, () -> docker.inspectContainerCmd(later).exec());
    }

    @Test
    void aStartAfterTheCommandsSweepDoesNotSweepAgain() throws Exception {
        Reaper.forgetSweeps();
        Map<String, String> other = DockerTestSupport.runLabels(Labels.forModel("llama", Map.of()));
        other.put(Labels.OWNER, "another-process");
        DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "swept");
        // What `snowcrash chat` does: the command's sweep, then the model's start.
        assertEquals(List.of(), backend.sweepLeftovers(spec.context()).problems());
        String exited = exitedContainer("snowcrash-test-after-" + DockerTestSupport.RUN.substring(0, 8), other);
        start(spec);
        assertEquals(exited, docker.inspectContainerCmd(exited).exec().getId(), "the start did not sweep a second time");
    }

    /** A container with these labels whose process ran and exited. */
    private String exitedContainer(String name, Map<String, String> labels) throws Exception {
        String id = docker.createContainerCmd(DockerCondition.IMAGE).withName(name).withLabels(labels)
                .withEntrypoint("/bin/true").exec().getId();
        docker.startContainerCmd(id).exec();
        assertEquals(0, docker.waitContainerCmd(id).start().awaitStatusCode(30, java.util.concurrent.TimeUnit.SECONDS));
        return id;
    }

    /** A running container with these labels. */
    private String runningContainer(String name, Map<String, String> labels) {
        String id = docker.createContainerCmd(DockerCondition.IMAGE).withName(name).withLabels(labels)
                .withEntrypoint("/bin/sleep", "600").exec().getId();
        docker.startContainerCmd(id).exec();
        return id;
    }

    @Test
    void stopAllRemovesEveryContainerWithOurLabels() throws Exception {
        DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "manager");
        try (DockerManager m = DockerManager.connect(spec.settings())) {
            ModelSession s = m.start(spec.spec(), e -> { });
            sessions.add(s);
            assertTrue(m.isRunning(spec.containerName()));
            List<String> removed = m.stopAll();
            assertTrue(removed.contains(spec.containerName()), removed.toString());
            assertFalse(m.isRunning(spec.containerName()));
            assertFalse(exists(spec.containerName()));
        }
    }

    @Test
    void stopAllKeepsToTheConfiguredLabels() throws Exception {
        // Another deployment (here: another test run) on the same engine, with snowcrash's labels
        // but not this configuration's backend.docker.labels: its containers are not ours to stop.
        Map<String, String> elsewhere = new java.util.HashMap<>(Labels.forModel("demo", Map.of()));
        elsewhere.put(DockerTestSupport.RUN_LABEL, "another-run");
        elsewhere.put(Labels.OWNER, "another-process");
        String name = "snowcrash-test-elsewhere-" + DockerTestSupport.RUN.substring(0, 8);
        String other = runningContainer(name, elsewhere);
        try {
            DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "scoped");
            try (DockerManager m = DockerManager.connect(spec.settings())) {
                sessions.add(m.start(spec.spec(), e -> { }));
                List<String> removed = m.stopAll();
                assertTrue(removed.contains(spec.containerName()), removed.toString());
                assertFalse(removed.contains(name), removed.toString());
                assertTrue(docker.inspectContainerCmd(other).exec().getState().getRunning(), "another run's container runs on");
            }
        } finally {
            new Reaper(docker).remove(other);
        }
    }

    @Test
    void aContainerKilledMidStreamIsABackendGoneError() throws Exception {
        // The larger model decodes a few hundred tokens a second, so a long answer is still
        // streaming when the container is killed on the first piece.
        Path file = dir.resolve("timing.gguf");
        TinyLlama.timing().write(file);
        DockerTestSupport.TestModel spec = DockerTestSupport.model(ModelSpec.builder("timing", file).contextSize(2048)
                .startupTimeout(Duration.ofSeconds(60)).build(), "killed");
        ModelSession s = start(spec);
        AtomicInteger n = new AtomicInteger();
        ChatException e = assertThrows(ChatException.class, () -> s.stream(request("go on", 1900), p -> {
            if (n.incrementAndGet() == 1) {
                docker.killContainerCmd(spec.containerName()).exec();
            }
        }, new Cancellation()));
        assertInstanceOf(ChatFailure.BackendGone.class, e.failure(), e.getMessage());
        assertTrue(e.getMessage().contains(String.valueOf(spec.port())), "the error names where: " + e.getMessage());
        assertTrue(e.getMessage().contains("; the container ended"), "and says the container is gone: " + e.getMessage());
        assertFalse(s.isAlive());
    }

    @Test
    void aContainerKilledBetweenTurnsIsABackendGoneError() throws Exception {
        DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "between");
        ModelSession s = start(spec);
        assertEquals(2, s.chat(request("one", 2)).usage().completionTokens());
        docker.killContainerCmd(spec.containerName()).exec();
        ChatException e = assertThrows(ChatException.class, () -> s.stream(request("two", 2), p -> { }, new Cancellation()));
        assertInstanceOf(ChatFailure.BackendGone.class, e.failure(), e.getMessage());
        assertTrue(e.getMessage().contains("; the container ended"), e.getMessage());
        assertFalse(s.isAlive());
    }

    @Test
    void anAgentWhoseContainerDiesRestartsItOnTheNextTurn() throws Exception {
        DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "agent");
        List<org.snowcrash.agent.AgentEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (org.snowcrash.agent.Agent agent = org.snowcrash.agent.Agent.builder().settings(spec.settings())
                .spec(spec.spec()).backend("docker").maxTokens(4).listener(events::add).start()) {
            agent.ask("one");
            String firstId = docker.inspectContainerCmd(spec.containerName()).exec().getId();
            docker.killContainerCmd(spec.containerName()).exec();
            ChatException e = assertThrows(ChatException.class, () -> agent.ask("two"));
            assertInstanceOf(ChatFailure.BackendGone.class, e.failure());
            assertTrue(events.stream().anyMatch(ev -> ev instanceof org.snowcrash.agent.AgentEvent.Lifecycle
                    && ((org.snowcrash.agent.AgentEvent.Lifecycle) ev).event() instanceof LifecycleEvent.Degraded));
            assertEquals(4, agent.ask("three").usage().completionTokens(), "served again");
            assertNotEquals(firstId, docker.inspectContainerCmd(spec.containerName()).exec().getId(), "a new container");
            assertEquals(4, agent.history().size());
        }
        assertFalse(exists(spec.containerName()));
    }

    private static int commonPrefix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
            n++;
        }
        return n;
    }
}
