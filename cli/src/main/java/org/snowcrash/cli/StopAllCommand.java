package org.snowcrash.cli;

import java.util.List;
import java.util.concurrent.Callable;

import org.snowcrash.backend.docker.DockerManager;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code snowcrash stop-all}: stops and removes every container this tool started (found by label). */
@Command(name = "stop-all", description = "Stop and remove every container snowcrash started (found by its labels).")
final class StopAllCommand implements Callable<Integer> {

    @ParentCommand
    SnowcrashCommand root;

    @Override
    public Integer call() {
        try (DockerManager docker = DockerManager.connect(root.configuration())) {
            List<String> removed = docker.stopAll();
            removed.forEach(name -> System.out.println("removed " + name));
            System.out.println(removed.size() + " container(s) removed");
            return 0;
        }
    }
}
