package org.snowcrash.backend.docker;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;

/**
 * A watcher that outlives the process it watches, in the manner of Testcontainers' Ryuk: it waits
 * until that process is gone (including by SIGKILL, when no shutdown hook runs) and then removes
 * every container labelled with its pid and host. One is started per process, the first time the
 * Docker backend creates a container ({@code backend.docker.reaper=true}, the default). It is a
 * small JVM on the same classpath; it exits by itself once its work is done.
 */
public final class Reaper {

    private static final Logger LOG = LoggerFactory.getLogger(Reaper.class);
    private static volatile boolean started;

    private Reaper() {
    }

    /** Starts the reaper for this process once; failures are logged, never thrown. */
    static void ensureStarted(String dockerHost) {
        if (started) {
            return;
        }
        synchronized (Reaper.class) {
            if (started) {
                return;
            }
            started = true;
            try {
                List<String> cmd = new ArrayList<>();
                cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                // Small and quick: it only polls a pid and makes a few Docker calls at the end.
                cmd.addAll(List.of("-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Reaper.class.getName(),
                        String.valueOf(ProcessHandle.current().pid()), Labels.hostName(), dockerHost));
                new ProcessBuilder(cmd)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                LOG.debug("reaper started for process {}", ProcessHandle.current().pid());
            } catch (Exception e) {
                LOG.warn("could not start the container reaper ({}); containers of a killed process are removed by the next start",
                        e.toString());
            }
        }
    }

    /** Arguments: the pid to watch, its host name, the Docker host. */
    public static void main(String[] args) throws Exception {
        long pid = Long.parseLong(args[0]);
        String host = args[1];
        String dockerHost = args[2];
        ProcessHandle watched = ProcessHandle.of(pid).orElse(null);
        if (watched != null) {
            // onExit() is woken by the kernel on Linux; the poll is a backstop for other systems.
            while (watched.isAlive()) {
                try {
                    watched.onExit().get(1, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    // still alive
                }
            }
        }
        try (DockerClient docker = DockerEngine.client(dockerHost, Duration.ofSeconds(30))) {
            for (Container c : docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(Labels.TOOL, Labels.TOOL_VALUE, Labels.PID, String.valueOf(pid))).exec()) {
                if (host.equals(c.getLabels().get(Labels.HOST))) {
                    try {
                        docker.removeContainerCmd(c.getId()).withForce(true).exec();
                    } catch (NotFoundException e) {
                        // removed by the process's own hook in the meantime
                    }
                }
            }
        }
        System.exit(0);
    }
}
