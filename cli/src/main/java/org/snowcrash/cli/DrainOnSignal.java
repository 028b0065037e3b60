package org.snowcrash.cli;

import java.util.concurrent.atomic.AtomicBoolean;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT for {@code snowcrash serve}: drain first, exit after. The JVM's own handling
 * would start its shutdown at once, and its hooks run concurrently: the Docker backend's hook would
 * remove the containers under the requests still in flight. So the command takes these two
 * signals itself, drains, and then exits with the status the signal would have given (143, 130),
 * which runs the hooks with nothing left for them to do. A second signal cuts the drain short.
 *
 * <p>{@code sun.misc.Signal} (module {@code jdk.unsupported}) is the JDK's only way to handle a
 * signal; JEP 260 keeps it accessible for exactly this until a supported replacement exists, and
 * javac warns about it. Only the command uses it; the server library has a plain
 * {@code shutdown()} for embedders.
 */
final class DrainOnSignal {

    private DrainOnSignal() {
    }

    /**
     * Installs the handlers.
     *
     * @param drain runs on a thread of its own at the first signal (blocks until drained and closed)
     * @param hurry runs at a second signal, to cut what still runs
     */
    static void install(Runnable drain, Runnable hurry) {
        AtomicBoolean signalled = new AtomicBoolean();
        for (String name : new String[] {"TERM", "INT"}) {
            int status = name.equals("TERM") ? 143 : 130;
            Signal.handle(new Signal(name), signal -> {
                if (signalled.getAndSet(true)) {
                    new Thread(hurry, "snowcrash-serve-hurry").start();
                    return;
                }
                new Thread(() -> {
                    drain.run();
                    System.exit(status);
                }, "snowcrash-serve-drain").start();
            });
        }
    }
}
