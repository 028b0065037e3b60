package org.snowcrash.bench.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code docker} command, as an operator (or a misbehaving neighbour) would use it on the
 * soak's containers. It talks to the engine directly, never through the {@link EngineProxy}.
 * Containers are found by the labels the soak gives its backends ({@code backend.docker.labels}),
 * beside Snowcrash's own {@code org.snowcrash.tool=snowcrash}.
 */
final class DockerCli {

    /** The label every container of one soak run carries, with the run's id as its value. */
    static final String RUN_LABEL = "snowcrash-soak.run";
    /** Which part of the run started the container: {@code serve} or {@code agent-N}. */
    static final String PART_LABEL = "snowcrash-soak.part";

    private final String run;

    DockerCli(String run) {
        this.run = run;
    }

    /** Running (or paused) containers of this run; of one part when {@code part} is not null. */
    List<String> containers(String part) {
        List<String> cmd = new ArrayList<>(List.of("ps", "-q", "--filter", "label=org.snowcrash.tool=snowcrash",
                "--filter", "label=" + RUN_LABEL + "=" + run));
        if (part != null) {
            cmd.addAll(List.of("--filter", "label=" + PART_LABEL + "=" + part));
        }
        Result r = run(cmd.toArray(String[]::new));
        return r.ok() ? r.out().lines().map(String::strip).filter(l -> !l.isEmpty()).toList() : List.of();
    }

    /** Every container of this run, stopped ones too. */
    List<String> allContainers() {
        Result r = run("ps", "-aq", "--filter", "label=" + RUN_LABEL + "=" + run);
        return r.ok() ? r.out().lines().map(String::strip).filter(l -> !l.isEmpty()).toList() : List.of();
    }

    /** {@code docker <args>}: exit status 0, and what it printed. */
    Result run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("docker");
        cmd.addAll(Arrays.asList(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(false, "docker " + String.join(" ", args) + " did not end within 60 s");
            }
            return new Result(p.exitValue() == 0, out);
        } catch (IOException e) {
            return new Result(false, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, "interrupted");
        }
    }

    /** What a command said, and whether it succeeded. */
    record Result(boolean ok, String out) {
    }
}
