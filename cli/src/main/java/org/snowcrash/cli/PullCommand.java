package org.snowcrash.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.snowcrash.api.Cancellation;
import org.snowcrash.models.CatalogEntry;
import org.snowcrash.models.ModelCatalog;
import org.snowcrash.hub.DownloadException;
import org.snowcrash.hub.DownloadFailure;
import org.snowcrash.hub.HubDownloader;
import org.snowcrash.hub.HubSettings;
import org.snowcrash.models.hub.HubSource;
import org.snowcrash.hub.PullResult;
import org.snowcrash.registry.Configuration;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code snowcrash pull MODEL}: downloads a catalog model's GGUF file from its
 * {@code model.<id>.source} on the hub into the models directory. Resumable (Ctrl-C keeps the
 * partial file; the same command continues it), verified (sha256 and GGUF header) and atomic.
 * Progress and notes go to stderr, the result line to stdout.
 */
@Command(name = "pull", description = "Download a model's GGUF file from the Hugging Face hub (resumable, verified).")
final class PullCommand implements Callable<Integer> {

    @ParentCommand
    SnowcrashCommand root;

    @Parameters(paramLabel = "MODEL", description = "Catalog model id (llama, phi-3, gemma, or one with model.<id>.source).")
    String model;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        Configuration config = root.configuration();
        ModelCatalog catalog = SnowcrashCommand.catalog(config);
        CatalogEntry entry = catalog.entry(model);
        if (entry.source().isEmpty()) {
            if (entry.synthesized()) {
                out.println("model '" + model + "' needs no download: it comes with snowcrash itself (" + entry.description() + ")");
                return 0;
            }
            throw new IllegalArgumentException("model '" + model + "' has no source to download it from; set model." + model
                    + ".source=" + HubSource.FORM);
        }
        HubSettings hub = HubSettings.from(config, System.getenv());
        HubSource source = entry.source().get();
        Path target = catalog.fileOf(entry);
        boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        PullProgress progress = new PullProgress(err, terminal, System::nanoTime);
        Cancellation cancel = new Cancellation();
        CountDownLatch finished = new CountDownLatch(1);
        // Ctrl-C (and SIGTERM) run this hook: stop the transfer so that the partial file is
        // closed cleanly and the message saying how to resume is printed before the JVM ends.
        Thread hook = new Thread(() -> {
            cancel.cancel();
            try {
                finished.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "snowcrash-pull-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try (HubDownloader downloader = new HubDownloader(hub)) {
            err.println("pulling " + model + " (" + source + ") from " + downloader.urlOf(source)
                    + (hub.token().isPresent() ? " with the token in " + HubSettings.TOKEN_ENV : ""));
            err.println("  into " + target);
            PullResult result = downloader.pull(source, target, cancel, progress);
            progress.finish();
            if (result instanceof PullResult.AlreadyPresent present) {
                out.println("already present: " + present.file() + " (" + present.size() + " bytes"
                        + present.sha256().map(s -> ", sha256 " + s + " matches the hub").orElse(", a sound GGUF; the hub announced no sha256")
                        + ")");
            } else if (result instanceof PullResult.Downloaded done) {
                out.println("pulled " + model + ": " + done.file() + " (" + done.size() + " bytes, sha256 " + done.sha256()
                        + (done.verified() ? " verified" : " not announced by the hub, GGUF header checked")
                        + (done.resumedFrom() > 0 ? ", resumed at byte " + done.resumedFrom() : "") + ")");
            }
            return 0;
        } catch (DownloadException e) {
            progress.finish();
            err.println("snowcrash: pull " + model + ": " + e.getMessage());
            return e.failure() instanceof DownloadFailure.Interrupted ? Errors.INTERRUPTED : Errors.DOWNLOAD_FAILED;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook is running.
            }
        }
    }
}
