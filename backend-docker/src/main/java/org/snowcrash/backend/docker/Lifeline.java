package org.snowcrash.backend.docker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;

/**
 * The attach connection that binds a container's life to this process, in the manner of
 * Testcontainers' Ryuk but without a helper: the engine itself does the cleaning.
 *
 * <p>The container is created with an open stdin that closes when its one attached client goes
 * ({@code OpenStdin} + {@code StdinOnce}), and {@code AutoRemove}. Its entrypoint
 * ({@link ServerContainer#WRAPPER}) reads the API key from the first line of stdin, starts the
 * server, and stops it when stdin reaches its end. This process holds that stdin open for as long
 * as the model is in use. However the process ends — {@code close()}, exit, SIGKILL of it, of its
 * process group or of its whole cgroup — the kernel closes its socket, dockerd closes the
 * container's stdin, the server stops and the engine removes the container. Nothing of ours has
 * to survive the kill, because nothing of ours lives in the killed process tree or cgroup: dockerd
 * does.
 *
 * <p>The same connection carries the container's output: the last lines are kept for start
 * failures (an auto-removed container takes its logs with it), and its end is the signal that
 * the container exited.
 */
final class Lifeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Lifeline.class);
    private static final int KEPT_LINES = 20;
    private static final Pattern EXIT_LINE = Pattern.compile("snowcrash: server exited with status (\\d+)");

    private final Deque<String> lines = new ArrayDeque<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final KeyInput stdin;
    private final ResultCallback.Adapter<Frame> callback;
    private volatile Integer exitStatus;

    private Lifeline(String apiKey) {
        this.stdin = new KeyInput(apiKey);
        this.callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                keep(new String(frame.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void onError(Throwable t) {
                LOG.debug("attach stream ended with {}", t.toString());
                keep("(the attach connection to the engine ended: " + DockerEngine.rootMessage(t) + ")");
                ended.countDown();
            }

            @Override
            public void onComplete() {
                ended.countDown();
            }
        };
    }

    /**
     * Attaches to a created (not yet started) container and writes the API key as the first line
     * of its stdin. Attaching before start loses none of the output.
     */
    static Lifeline attach(DockerClient docker, String containerId, String apiKey) {
        Lifeline l = new Lifeline(apiKey);
        docker.attachContainerCmd(containerId).withStdIn(l.stdin).withStdOut(true).withStdErr(true)
                .withFollowStream(true).withLogs(false).exec(l.callback);
        return l;
    }

    /** Whether the container's output has ended: it exited, or the connection to the engine broke. */
    boolean hasEnded() {
        return ended.getCount() == 0;
    }

    /** Waits up to {@code millis} for the end; returns whether it came. */
    boolean awaitEnd(long millis) throws InterruptedException {
        return ended.await(millis, TimeUnit.MILLISECONDS);
    }

    /** The server's exit status, as the entrypoint reported it, once the container has exited. */
    OptionalInt exitStatus() {
        Integer s = exitStatus;
        return s == null ? OptionalInt.empty() : OptionalInt.of(s);
    }

    /** The last lines the container wrote (stdout and stderr). */
    synchronized List<String> lastLines() {
        return new ArrayList<>(lines);
    }

    private synchronized void keep(String text) {
        for (String l : text.split("\n")) {
            if (l.isBlank()) {
                continue;
            }
            Matcher m = EXIT_LINE.matcher(l);
            if (m.find()) {
                exitStatus = Integer.valueOf(m.group(1));
            }
            lines.addLast(l.stripTrailing());
            if (lines.size() > KEPT_LINES) {
                lines.removeFirst();
            }
        }
    }

    /** Ends the stdin and closes the connection: the container stops and removes itself. Idempotent. */
    @Override
    public void close() {
        stdin.close();
        try {
            callback.close();
        } catch (IOException e) {
            LOG.debug("closing the attach connection: {}", e.toString());
        }
    }

    /**
     * The container's stdin: the key and a newline, then nothing until closed. It must block
     * rather than end, because the end of this stream is what stops the server.
     */
    private static final class KeyInput extends InputStream {
        private final byte[] first;
        private int pos;
        private final CountDownLatch closed = new CountDownLatch(1);

        KeyInput(String key) {
            this.first = (key + "\n").getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            synchronized (this) {
                if (pos < first.length && closed.getCount() > 0) {
                    int n = Math.min(len, first.length - pos);
                    System.arraycopy(first, pos, b, off, n);
                    pos += n;
                    return n;
                }
            }
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return -1;
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }
}
