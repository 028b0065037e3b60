package org.snowcrash.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.registry.Configuration;
import org.snowcrash.server.SnowcrashServer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code snowcrash serve}: the OpenAI-compatible endpoint and the web chat viewer, until SIGTERM
 * or Ctrl-C. Pinned models ({@code model.<id>.pinned}) and preloaded ones ({@code --preload},
 * {@code snowcrash.pool.preload}) are loaded before it listens, so a first request never waits
 * for them; which drain the requests in flight (up to {@code serve.drain-timeout}) and then
 * remove every container before the process ends (exit status 143 or 130).
 */
@Command(name = "serve", description = "Serve every catalog model over an OpenAI-compatible HTTP API, with a web chat viewer.")
final class ServeCommand implements Callable<Integer> {

    @ParentCommand
    SnowcrashCommand root;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Where to listen (serve.host; default 127.0.0.1, loopback only).")
    String host;

    @Option(names = "--port", paramLabel = "N", description = "Port (serve.port; default 11435; 0 picks a free one).")
    Integer port;

    @Option(names = "--preload", paramLabel = "IDS", description = "Load these models (comma-separated) before listening,"
            + " after the pinned ones (snowcrash.pool.preload).")
    String preload;

    @Override
    public Integer call() throws InterruptedException {
        PrintStream err = System.err;
        Map<String, String> flags = new LinkedHashMap<>();
        if (host != null) {
            flags.put("serve.host", host);
        }
        if (port != null) {
            flags.put("serve.port", String.valueOf(port));
        }
        if (preload != null) {
            flags.put("snowcrash.pool.preload", preload);
        }
        Configuration config = root.configuration().with("command line", flags);
        root.sweepOrphans(config);
        SnowcrashServer server = SnowcrashServer.builder().settings(config)
                .notices(line -> {
                    err.println(line);
                    err.flush();
                })
                .listener(ServeCommand::event)
                .start();
        DrainOnSignal.install(server::shutdown, server::close);
        // Any other way out (System.exit elsewhere, SIGHUP): cut at once, then the containers go.
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "snowcrash-serve-shutdown"));
        String base = server.uri().toString();
        err.println("api key: " + (server.keyGenerated() ? "generated and stored in " + server.keyOrigin() + " (0600)"
                : "from " + server.keyOrigin()) + "; send it as 'Authorization: Bearer <key>'");
        err.println("viewer: " + base + " (it asks for the key, or open " + base + "#key=<key>)");
        err.println("listening: " + base + " (OpenAI base URL " + base + "v1)");
        err.flush();
        new CountDownLatch(1).await(); // until a signal ends the process
        return 0;
    }

    /** Model lifecycle lines on stderr, as {@code snowcrash chat} prints them, each with its model. */
    private static void event(String model, LifecycleEvent e) {
        EventLines.forServe(model, e).ifPresent(line -> {
            System.err.println(line);
            System.err.flush();
        });
    }
}
