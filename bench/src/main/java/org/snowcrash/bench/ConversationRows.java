package org.snowcrash.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.snowcrash.agent.Agent;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.agent.TrimPolicy;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiTokenUsage;

/**
 * The rows about long conversations and concurrent viewers.
 *
 * <p>The conversation: 60 scripted turns (the same questions every run), a system prompt,
 * 32-token answers, greedy decoding, at {@code -c 512} with one slot: (a) the agent with
 * {@link TrimPolicy#CACHE_AWARE}, (b) the agent with {@link TrimPolicy#OLDEST_FIRST}, (c) LangChain4j's
 * {@link MessageWindowChatMemory} with its own OpenAI streaming client. Each has a server of its
 * own (a slot's cache is what is measured, so two conversations must never share one) started
 * with the same flags, and their turns are interleaved in a rotating order so that the machine's
 * drift falls on all of them alike. Prompt tokens processed are the server's own numbers
 * ({@code prompt_tokens - cached_tokens}), summed; time to first token is from the call to the
 * first piece of text. The servers run on the host network (see {@link #dockerSettings()}).
 */
final class ConversationRows {

    /** Turns per conversation: 60, or {@code --turns N} for a quick check of the harness. */
    static int TURNS = 60;
    static final int CONTEXT = 512;
    static final int ANSWER = 32;
    static final String SYSTEM = "You are the robot's voice. Answer in one short sentence about what you see.";
    /**
     * LangChain4j's window, in messages, system prompt included: the system prompt and the last
     * three exchanges with the new question, the most this script's longest turns fit in 512
     * tokens (a window counts messages, not tokens; four exchanges overflow the context, and the
     * server refuses the request). {@link TrimPolicy#OLDEST_FIRST} keeps three or four here.
     */
    static final int WINDOW = 8;

    private static final String[] ASKS = {
        "What do you see now?",
        "Is the door open or closed?",
        "Describe the table in front of you.",
        "Who just walked into the room?",
        "What colour is the cup on the left?",
        "Can you see the charging station from here?",
        "Tell me what changed since the last time I asked.",
        "Is anyone holding the red box?",
    };

    private final Bench bench;
    private Path model;

    ConversationRows(Bench bench) {
        this.bench = bench;
    }

    /** The ChatML markers, one control token each as in real models (in the plain vocabulary each is 10-12 bytes). */
    private static final List<String> MARKERS = List.of("<|im_start|>", "<|im_end|>");

    /**
     * The timing model's shape (8 layers, embedding 512, F16, about 52 MB) with the chat markers as
     * control tokens ({@link #MARKERS}) and the output rows of some tokens set to zero, so that a
     * message costs what it costs with a real model: the template a few tokens per message, and an
     * answer about as many tokens in the next prompt as were generated. With random weights greedy decoding otherwise picks
     * non-ASCII bytes that are not UTF-8 (the server sends U+FFFD, three tokens when re-sent) and
     * word pieces such as {@code ▁the} that the tokenizer never produces from text (its merges go
     * through {@code ▁t}, which this vocabulary lacks, so {@code " the"} comes back as four tokens):
     * 32-token answers then cost about a hundred tokens in the next prompt. Kept: pieces of one or
     * two characters (which the tokenizer does produce) and printable ASCII bytes
     * that no piece covers; every other row is zero, and a zero row scores 0 while some of the ~100
     * others almost surely score above it. The end token is zeroed too, so every answer is 32
     * tokens long, and so are the markers. Written once, next to the
     * timing model (the plain server mounts that folder).
     */
    Path model() throws IOException, org.snowcrash.models.gguf.GgufException {
        if (model != null) {
            return model;
        }
        Path file = bench.work().resolve("conversation.gguf");
        org.snowcrash.models.TinyLlama.timing().writer("snowcrash-conversation", MARKERS).write(file);
        org.snowcrash.models.gguf.GgufFile gguf = org.snowcrash.models.gguf.GgufReader.read(file);
        org.snowcrash.models.gguf.TensorInfo output = gguf.tensors().stream().filter(t -> t.name().equals("output.weight"))
                .findFirst().orElseThrow();
        List<String> vocabulary = new ArrayList<>(org.snowcrash.models.TinyLlama.vocabulary());
        vocabulary.addAll(MARKERS);
        int rowBytes = (int) output.dimensions()[0] * 2; // F16
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            for (int id = 0; id < vocabulary.size(); id++) {
                if (!reproducible(vocabulary, id)) {
                    ch.write(java.nio.ByteBuffer.allocate(rowBytes), gguf.dataOffset() + output.offset() + (long) id * rowBytes);
                }
            }
        }
        model = file;
        return file;
    }

    /** Whether the tokenizer gives this token back when its text is sent again (see {@link #model()}). */
    private static boolean reproducible(List<String> vocabulary, int id) {
        if (id < 3) {
            return false; // <unk> and <s> never come back as themselves; without </s> every answer is 32 tokens
        }
        if (id < 3 + 256) {
            int b = id - 3;
            return b > 0x20 && b < 0x7f && !vocabulary.contains(String.valueOf((char) b));
        }
        return vocabulary.get(id).length() <= 2;
    }

    static String question(int turn) {
        return "Turn " + turn + ". " + ASKS[turn % ASKS.length];
    }

    /** One turn as measured: ms to the first piece, prompt tokens, how many of them came from the cache. */
    record Turn(double ttftMs, int prompt, int cached) {
        int processed() {
            return prompt - cached;
        }
    }

    interface Conversation {
        Turn ask(int turn) throws Exception;
    }

    // ---- Docker --------------------------------------------------------------------------------

    void docker() throws Exception {
        ModelSpec specA = bench.spec(model(), "snowcrash-bench-conv-a", CONTEXT);
        ModelSpec specB = bench.spec(model(), "snowcrash-bench-conv-b", CONTEXT);
        int portC = Bench.freePort();
        String nameC = "snowcrash-bench-conv-c";
        PlainServer c = PlainServer.start(bench, model(), nameC, portC, CONTEXT, 1);
        try (Agent a = agent(specA, TrimPolicy.CACHE_AWARE, "docker");
             Agent b = agent(specB, TrimPolicy.OLDEST_FIRST, "docker")) {
            List<List<Turn>> runs = interleave(List.of(agentTurns(a), agentTurns(b), langChain4j(portC)));
            report("long conversation, Docker", runs, true);
        } finally {
            c.close();
        }
    }

    // ---- in-process ----------------------------------------------------------------------------

    void inProcess() throws Exception {
        // Two copies of the file: java-llama.cpp loads a file once per process, and each
        // conversation needs a slot (a prompt cache) of its own.
        Path fileA = bench.work().resolve("conv-a.gguf");
        Path fileB = bench.work().resolve("conv-b.gguf");
        Files.copy(model(), fileA, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(model(), fileB, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (Agent a = agent(ModelSpec.builder("conv-a", fileA).contextSize(CONTEXT).gpuLayers(0).build(),
                TrimPolicy.CACHE_AWARE, "llamacpp");
             Agent b = agent(ModelSpec.builder("conv-b", fileB).contextSize(CONTEXT).gpuLayers(0).build(),
                     TrimPolicy.OLDEST_FIRST, "llamacpp")) {
            List<List<Turn>> runs = interleave(List.of(agentTurns(a), agentTurns(b)));
            report("long conversation, in-process", runs, false);
        }
    }

    private Agent agent(ModelSpec spec, TrimPolicy policy, String backend) {
        Settings settings = backend.equals("docker") ? dockerSettings() : Settings.empty();
        Agent agent = Agent.builder().settings(settings).spec(spec).backend(backend).systemPrompt(SYSTEM)
                .maxTokens(ANSWER).temperature(0).trimPolicy(policy).start();
        // Warm the JIT and the connection path; the slot then holds a prompt with the same
        // beginning (template, system prompt) as every conversation's first turn.
        agent.ask("Warming up.");
        agent.reset();
        return agent;
    }

    private static Conversation agentTurns(Agent agent) {
        return turn -> {
            AtomicLong first = new AtomicLong();
            long t0 = System.nanoTime();
            ChatResponse r = agent.ask(question(turn), piece -> first.compareAndSet(0, System.nanoTime()));
            return new Turn((first.get() - t0) / 1e6, r.usage().promptTokens(), r.usage().cachedPromptTokens());
        };
    }

    /** (c): LangChain4j's memory and OpenAI client, as a LangChain4j user would write it. */
    private static Conversation langChain4j(int port) {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder()
                .baseUrl("http://127.0.0.1:" + port + "/v1").apiKey("none").modelName("timing")
                .temperature(0.0).maxTokens(ANSWER).timeout(Duration.ofMinutes(5))
                // As for every client here: docker-proxy may close a connection after a streamed
                // answer without saying so, so each request gets a fresh one (Snowcrash does the same).
                .customHeaders(Map.of("Connection", "close"))
                .build();
        MessageWindowChatMemory memory = MessageWindowChatMemory.withMaxMessages(WINDOW);
        memory.add(SystemMessage.from(SYSTEM));
        warm(model);
        return turn -> {
            memory.add(UserMessage.from(question(turn)));
            AtomicLong first = new AtomicLong();
            CompletableFuture<dev.langchain4j.model.chat.response.ChatResponse> done = new CompletableFuture<>();
            long t0 = System.nanoTime();
            model.chat(memory.messages(), new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String partial) {
                    first.compareAndSet(0, System.nanoTime());
                }

                @Override
                public void onCompleteResponse(dev.langchain4j.model.chat.response.ChatResponse response) {
                    done.complete(response);
                }

                @Override
                public void onError(Throwable error) {
                    done.completeExceptionally(error);
                }
            });
            dev.langchain4j.model.chat.response.ChatResponse r = done.get(5, TimeUnit.MINUTES);
            memory.add(r.aiMessage());
            OpenAiTokenUsage u = (OpenAiTokenUsage) r.tokenUsage();
            int cached = u.inputTokensDetails() == null || u.inputTokensDetails().cachedTokens() == null ? 0
                    : u.inputTokensDetails().cachedTokens();
            return new Turn((first.get() - t0) / 1e6, u.inputTokenCount(), cached);
        };
    }

    private static void warm(OpenAiStreamingChatModel model) {
        CompletableFuture<Object> done = new CompletableFuture<>();
        model.chat(List.of(SystemMessage.from(SYSTEM), UserMessage.from("Warming up.")), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
            }

            @Override
            public void onCompleteResponse(dev.langchain4j.model.chat.response.ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        done.join();
    }

    /** Every conversation's turn 1, then every one's turn 2, ..., in an order that rotates each turn. */
    private static List<List<Turn>> interleave(List<Conversation> conversations) throws Exception {
        int n = conversations.size();
        List<List<Turn>> runs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            runs.add(new ArrayList<>());
        }
        for (int turn = 1; turn <= TURNS; turn++) {
            for (int k = 0; k < n; k++) {
                int which = (turn + k) % n;
                runs.get(which).add(conversations.get(which).ask(turn));
            }
            if (turn % 10 == 0) {
                System.err.println("    turn " + turn + ": " + runs.stream().map(r -> r.get(r.size() - 1).toString()).toList());
            }
        }
        return runs;
    }

    private void report(String name, List<List<Turn>> runs, boolean withLangChain4j) {
        int[] processed = runs.stream().mapToInt(r -> r.stream().mapToInt(Turn::processed).sum()).toArray();
        int[] prompt = runs.stream().mapToInt(r -> r.stream().mapToInt(Turn::prompt).sum()).toArray();
        double[] p50 = runs.stream().mapToDouble(r -> percentile(r, 50)).toArray();
        double[] p95 = runs.stream().mapToDouble(r -> percentile(r, 95)).toArray();
        String labels = withLangChain4j ? "(b) / (c)" : "(b)";
        String baselineProcessed = withLangChain4j ? processed[1] + " / " + processed[2] : String.valueOf(processed[1]);
        double worstShare = 0;
        StringBuilder shares = new StringBuilder();
        for (int i = 1; i < runs.size(); i++) {
            double share = 100.0 * processed[0] / processed[i];
            worstShare = Math.max(worstShare, share);
            shares.append(i == 1 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f %% of (%c)", share, 'a' + i));
        }
        bench.add(name + ": prompt tokens processed, " + TURNS + " turns (of " + prompt[0] + labels(prompt, withLangChain4j)
                        + " sent)", String.valueOf(processed[0]), baselineProcessed, shares.toString(),
                "(a) ≤ 40 % of " + labels, worstShare <= 40);
        bench.add(name + ": time to first token p50 (ms)", fmt(p50[0]), join(p50), ratios(p50), "-", true);
        boolean lowest = true;
        for (int i = 1; i < runs.size(); i++) {
            lowest &= p95[0] < p95[i];
        }
        bench.add(name + ": time to first token p95 (ms)", fmt(p95[0]), join(p95), ratios(p95), "(a) below " + labels, lowest);
    }

    private static String labels(int[] prompt, boolean withLangChain4j) {
        return withLangChain4j ? " / " + prompt[1] + " / " + prompt[2] : " / " + prompt[1];
    }

    private static String join(double[] v) {
        StringBuilder s = new StringBuilder();
        for (int i = 1; i < v.length; i++) {
            s.append(i == 1 ? "" : " / ").append(fmt(v[i]));
        }
        return s.toString();
    }

    private static String ratios(double[] v) {
        StringBuilder s = new StringBuilder();
        for (int i = 1; i < v.length; i++) {
            s.append(i == 1 ? "" : ", ").append(String.format(Locale.ROOT, "(a)/(%c) %.2f", 'a' + i, v[0] / v[i]));
        }
        return s.toString();
    }

    // ---- concurrent viewers --------------------------------------------------------------------

    /**
     * 1, 2 and 4 viewers streaming at once from one Docker model started with {@code parallel} 1
     * and with 4 ({@code -c 2048}, so a slot of the four still holds 512 tokens). Each round every
     * viewer asks a question of its own (new each round, so no answer comes from the cache) and
     * they start together; the two models take rounds in turn.
     */
    void viewers() throws Exception {
        int answer = Math.min(bench.tokens(), 128);
        int rounds = Math.max(3, bench.rounds() / 3);
        ModelSpec one = bench.spec(model(), "snowcrash-bench-viewers-1", 2048);
        ModelSpec four = bench.spec(model(), "snowcrash-bench-viewers-4", 2048).toBuilder().parallel(4).build();
        try (RunningModel m1 = RunningModel.builder().settings(dockerSettings()).spec(one).backend("docker").start();
             RunningModel m4 = RunningModel.builder().settings(dockerSettings()).spec(four).backend("docker").start()) {
            System.err.println("    " + m1.info().detail() + "; " + m4.info().detail());
            for (int viewers : new int[] {1, 2, 4}) {
                double[][] tps = new double[2][rounds];
                List<List<Double>> ttft = List.of(new ArrayList<>(), new ArrayList<>());
                for (int r = 0; r < rounds; r++) {
                    for (int k = 0; k < 2; k++) {
                        int which = (r + k) % 2;
                        double[] got = round(which == 0 ? m1 : m4, viewers, answer, r, ttft.get(which));
                        tps[which][r] = got[0];
                    }
                }
                double p95one = percentile(ttft.get(0), 95);
                double p95four = percentile(ttft.get(1), 95);
                bench.add("concurrent viewers, Docker, " + viewers + " at once: aggregate tok/s", fmt(median(tps[1])) + " (parallel 4)",
                        fmt(median(tps[0])) + " (parallel 1)", String.format(Locale.ROOT, "ratio %.2f", median(tps[1]) / median(tps[0])),
                        "-", true);
                bench.add("concurrent viewers, Docker, " + viewers + " at once: time to first token p95 (ms)",
                        fmt(p95four) + " (parallel 4)", fmt(p95one) + " (parallel 1)",
                        String.format(Locale.ROOT, "ratio %.2f", p95four / p95one), "-", true);
            }
        }
    }

    /** One round: {aggregate tokens per second}; each viewer's time to first token goes to {@code ttft}. */
    private static double[] round(RunningModel model, int viewers, int answer, int round, List<Double> ttft) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(viewers);
        try {
            CyclicBarrier together = new CyclicBarrier(viewers);
            long[] t0 = new long[1];
            List<Future<double[]>> calls = new ArrayList<>();
            for (int v = 0; v < viewers; v++) {
                ChatRequest req = ChatRequest.of(List.of(ChatMessage.system(SYSTEM),
                        ChatMessage.user("Round " + round + ", viewer " + v + ": " + ASKS[(round + v) % ASKS.length])), answer)
                        .withTemperature(0);
                calls.add(pool.submit(() -> {
                    together.await(60, TimeUnit.SECONDS);
                    AtomicLong first = new AtomicLong();
                    long start = System.nanoTime();
                    ChatResponse r = model.stream(req, p -> first.compareAndSet(0, System.nanoTime()), new Cancellation());
                    return new double[] {(first.get() - start) / 1e6, r.usage().completionTokens(), start, System.nanoTime()};
                }));
            }
            long begin = Long.MAX_VALUE;
            long end = 0;
            int tokens = 0;
            for (Future<double[]> f : calls) {
                double[] got = f.get(10, TimeUnit.MINUTES);
                ttft.add(got[0]);
                tokens += (int) got[1];
                begin = Math.min(begin, (long) got[2]);
                end = Math.max(end, (long) got[3]);
            }
            return new double[] {tokens / ((end - begin) / 1e9)};
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static double percentile(List<?> values, int p) {
        double[] v = values.stream().mapToDouble(x -> x instanceof Turn t ? t.ttftMs() : (Double) x).toArray();
        Arrays.sort(v);
        // Nearest rank: the smallest value with at least p % of the values at or below it.
        int rank = (int) Math.ceil(p / 100.0 * v.length);
        return v[Math.max(0, rank - 1)];
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * The bench's Docker settings on the host network: the servers listen on 127.0.0.1 with no
     * docker-proxy in between. On a machine shared with other engineers' network tests, streams
     * through docker-proxy were cut now and then (several containers' connections at the same
     * moment, the servers still running), which ends a 60-turn row.
     */
    private Settings dockerSettings() {
        java.util.Map<String, String> m = new java.util.HashMap<>();
        for (String key : bench.dockerSettings().keys()) {
            m.put(key, bench.dockerSettings().get(key).orElseThrow());
        }
        m.put("backend.docker.network", "host");
        return Settings.of(m, "bench");
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, d < 100 ? "%.1f" : "%.0f", d);
    }

    /** A llama-server container started as a user would start it: {@code docker run} with the backend's flags. */
    static final class PlainServer implements AutoCloseable {
        private final String name;

        private PlainServer(String name) {
            this.name = name;
        }

        static PlainServer start(Bench bench, Path model, String name, int port, int context, int parallel) throws Exception {
            new ProcessBuilder("docker", "rm", "-f", name).redirectErrorStream(true).start().waitFor();
            Process p = new ProcessBuilder("docker", "run", "-d", "--rm", "--name", name, "--memory", "2g", "--memory-swap", "2g",
                    "--network", "host", "-v", bench.work() + ":/models:ro", bench.image(),
                    "--host", "127.0.0.1", "--port", String.valueOf(port), "-m", "/models/" + model.getFileName(),
                    "-ngl", "8", "-c", String.valueOf(context), "-b", "128", "-np", String.valueOf(parallel))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("docker run failed: " + out);
            }
            PlainServer s = new PlainServer(name);
            HttpClient http = HttpClient.newHttpClient();
            URI health = URI.create("http://127.0.0.1:" + port + "/health");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                try {
                    if (http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(1)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return s;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(10);
            }
            s.close();
            throw new IllegalStateException(name + " did not become ready");
        }

        @Override
        public void close() throws Exception {
            new ProcessBuilder("docker", "rm", "-f", name).redirectErrorStream(true).start().waitFor();
        }
    }
}
