package org.snowcrash.backend.docker;

import java.time.Duration;

/**
 * A child program for {@link HungDaemonTest}: a process whose Docker engine hangs (accepts,
 * never answers) while it has a container tracked, then exits. Arguments: the hung engine's
 * address, the stop bound in ms.
 */
public final class ExitWithHungDaemon {

    private ExitWithHungDaemon() {
    }

    public static void main(String[] args) {
        Duration bound = Duration.ofMillis(Long.parseLong(args[1]));
        // An API timeout far longer than the bound: only the bound may end the exit.
        var client = DockerEngine.client(args[0], Duration.ofMinutes(5));
        ContainerTracker.beginCreate(client, bound);
        ContainerTracker.track(new ContainerTracker.Tracked("0123456789ab", "snowcrash-hung-test", client, bound));
        ContainerTracker.endCreate();
        System.err.println("EXITING");
        System.exit(0);
    }
}
