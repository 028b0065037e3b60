package org.snowcrash.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import org.snowcrash.agent.Agent;
import org.snowcrash.agent.AgentEvent;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.registry.Configuration;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code snowcrash chat}: starts the model at once (before the first question, as the original
 * did), then answers questions from standard input, or one {@code --prompt}. Answers stream to
 * stdout; {@code served-by:} and {@code fallback:} lines and progress go to stderr, and so do the
 * model's tool calls and their results ({@code tool: move {"direction":"forward","meters":2}},
 * {@code result: would move forward 2 meters}): the model may call the robot tools (see
 * {@link RobotTools}) unless {@code --tools none}.
 *
 * <p>In a session a failed turn prints one {@code error:} line and the session goes on with its
 * conversation kept: when the backend died, the next question starts the model again (printing
 * the start and {@code served-by:} again). With {@code --prompt} a failed turn exits with 1.
 */
@Command(name = "chat", description = "Chat with a model (streaming). End of input ends the session.")
final class ChatCommand implements Callable<Integer> {

    @ParentCommand
    SnowcrashCommand root;

    @Option(names = {"-m", "--model"}, defaultValue = "demo", description = "Catalog model id (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "Answer this once and exit.")
    String prompt;

    @Option(names = "--backend", paramLabel = "ID", description = "Use only this backend (docker, llamacpp, ...).")
    String backend;

    @Option(names = "--max-tokens", defaultValue = "256", paramLabel = "N", description = "Most tokens per answer (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--tools", defaultValue = "robot", paramLabel = "SET",
            description = "Tools the model may call: robot (move, turn; they say what the robot would do) or none (default: ${DEFAULT-VALUE}).")
    String tools;

    @Option(names = "--system", paramLabel = "TEXT", defaultValue = "",
            description = "System prompt. For the demo model the default describes a scene, as the robot's detector would.")
    String system;

    @Override
    public Integer call() throws IOException {
        PrintStream out = System.out;
        PrintStream err = System.err;
        if (maxTokens < 1) {
            throw new IllegalArgumentException("--max-tokens must be at least 1, got " + maxTokens);
        }
        if (!tools.equals("robot") && !tools.equals("none")) {
            throw new IllegalArgumentException("--tools must be robot or none, got '" + tools + "'");
        }
        Configuration config = root.configuration();
        root.sweepOrphans(config);
        Agent.Builder builder = Agent.builder().settings(config).model(model).maxTokens(maxTokens)
                .systemPrompt(system.isEmpty() && model.equals("demo") ? org.snowcrash.demo.DemoModel.SCENE : system)
                .listener(new Progress(err));
        if (backend != null) {
            builder.backend(backend);
        }
        if (tools.equals("robot")) {
            builder.tools(RobotTools.all());
        }
        Agent agent = builder.start();
        // Ctrl-C and SIGTERM run this hook: the container stops before the process goes.
        Thread hook = new Thread(agent::close, "snowcrash-chat-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (model.equals("demo")) {
                err.println("note: " + org.snowcrash.demo.DemoModel.NOTE);
                if (system.isEmpty()) {
                    err.println("note: system prompt: " + org.snowcrash.demo.DemoModel.SCENE + " (try: What do you see?)");
                }
            }
            if (prompt != null) {
                answer(agent, prompt, out, err);
                return 0;
            }
            boolean interactive = System.console() != null;
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (true) {
                if (interactive) {
                    err.print("you> ");
                    err.flush();
                }
                String line = in.readLine();
                if (line == null) {
                    return 0;
                }
                if (line.isBlank()) {
                    continue;
                }
                try {
                    answer(agent, line, out, err);
                } catch (ChatException e) {
                    // The agent kept the conversation and recovers on the next question.
                    err.println("error: " + Errors.kind(e.failure()) + ": " + e.getMessage().lines().findFirst().orElse(""));
                    err.flush();
                }
            }
        } finally {
            agent.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook is running or ran.
            }
        }
    }

    /** Streams one answer to stdout and its usage to stderr; a partial answer still ends its line. */
    private static void answer(Agent agent, String question, PrintStream out, PrintStream err) {
        boolean[] printed = {false};
        try {
            ChatResponse r = agent.ask(question, piece -> {
                printed[0] = true;
                out.print(piece);
                out.flush();
            });
            out.println();
            report(err, r);
        } catch (ChatException e) {
            if (printed[0]) {
                out.println();
            }
            throw e;
        }
    }

    private static void report(PrintStream err, ChatResponse r) {
        // "(N cached)": prompt tokens the backend reused from its prompt cache instead of processing again.
        err.printf("[%d prompt (%d cached) + %d completion tokens, %.1f tok/s, %s]%n", r.usage().promptTokens(),
                r.usage().cachedPromptTokens(), r.usage().completionTokens(), r.tokensPerSecond(),
                r.finishReason().name().toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * Shows start-up on stderr. Every event is a plain line; on a terminal a status line with the
     * elapsed time is also redrawn while a backend starts, so a long wait never looks like a hang.
     * (Off a terminal, the Docker backend's own "waiting for the server (..., N s)" lines every
     * 5 s do that job without control characters.)
     */
    private static final class Progress implements org.snowcrash.agent.AgentListener {
        private final PrintStream err;
        private final boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        private volatile Thread ticker;
        /** Between a backend's Starting and the end of that start: only then is its progress news. */
        private boolean starting;

        Progress(PrintStream err) {
            this.err = err;
        }

        @Override
        public synchronized void onEvent(AgentEvent event) {
            if (event instanceof AgentEvent.ToolCalled c) {
                err.println("tool: " + c.call().name() + " " + c.call().arguments());
                err.flush();
                return;
            }
            if (event instanceof AgentEvent.ToolResult r) {
                err.println("result: " + r.result());
                err.flush();
                return;
            }
            if (event instanceof AgentEvent.AnswerRejected r) {
                err.println("rejected: " + r.problem() + " (asking again)");
                err.flush();
                return;
            }
            if (event instanceof AgentEvent.TurnFinished t && !t.response().reasoning().isEmpty()) {
                err.println("reasoning: " + t.response().reasoning().strip().replace('\n', ' '));
                err.flush();
                return;
            }
            if (!(event instanceof AgentEvent.Lifecycle lifecycle)) {
                return;
            }
            LifecycleEvent e = lifecycle.event();
            if (e instanceof LifecycleEvent.Starting) {
                starting = true;
            } else if (e instanceof LifecycleEvent.Progress && !starting) {
                // A running model's housekeeping (a slot cache saved after a turn) is not worth a
                // line between answers; -v logs it.
                return;
            } else if (!(e instanceof LifecycleEvent.Progress)) {
                starting = false;
            }
            String line = EventLines.forChat(e).orElse(null);
            if (line == null) {
                return;
            }
            stopTicker();
            err.println(line);
            err.flush();
            if (terminal && e instanceof LifecycleEvent.Starting) {
                startTicker(e.backendId());
            }
        }

        private void startTicker(String backend) {
            long t0 = System.nanoTime();
            Thread t = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        Thread.sleep(200);
                        synchronized (this) {
                            if (ticker != Thread.currentThread()) {
                                return;
                            }
                            err.printf("\r  %s starting... %.1f s\u001b[K", backend, (System.nanoTime() - t0) / 1e9);
                            err.flush();
                        }
                    }
                } catch (InterruptedException ex) {
                    // stopped
                }
            }, "snowcrash-progress");
            t.setDaemon(true);
            ticker = t;
            t.start();
        }

        private void stopTicker() {
            Thread t = ticker;
            if (t != null) {
                ticker = null;
                t.interrupt();
                err.print("\r\u001b[K");
            }
        }
    }
}
