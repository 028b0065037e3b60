package org.snowcrash.api;

import java.util.List;
import java.util.Objects;

/**
 * An optional capability of a backend that leaves things outside the process (containers,
 * server processes, files): it can find them again and remove them. A backend offers it by
 * implementing this interface in addition to {@link LlmBackend}; front ends ask for it with
 * {@code backend instanceof Housekeeping h}. A backend that leaves nothing behind (an in-process
 * one) simply does not implement it.
 *
 * <p>The command calls {@link #sweepLeftovers} on every discovered backend before it starts
 * anything (so a process killed with SIGKILL is cleaned up by the next one), and
 * {@link #removeAll} on every discovered backend for {@code snowcrash stop-all}.
 *
 * <h2>Contract for implementations</h2>
 * <ul>
 *   <li>Both methods block until done, within a bound the backend documents (for a container
 *       engine: its ping timeout to decide it is unreachable, then its removal timeout). They are
 *       never called on a hot path.</li>
 *   <li>Neither throws for a runtime that is missing, unreachable or misconfigured: that is
 *       reported in the returned {@link Removal#problems()} (and removal goes on for the rest).
 *       Callers still guard the call, as they guard {@link LlmBackend#availability}.</li>
 *   <li>Thread-safe: they may run while the same backend starts or serves models in this
 *       process, and must never touch what a live session of this or another process owns.</li>
 *   <li>Only what this tool created is ever touched (for containers: those carrying its labels);
 *       something of the same name that another tool made is left alone.</li>
 * </ul>
 */
public interface Housekeeping {

    /**
     * Removes what processes of this tool left behind after they died without cleaning up
     * (SIGKILL, a crash, a power cut): things whose owning process is gone. Never touches what a
     * live process owns, this one included.
     *
     * @param context configuration and the event sink; never {@code null}
     * @return what was removed, and every reason something could not be looked at or removed
     */
    Removal sweepLeftovers(BackendContext context);

    /**
     * Removes everything this backend ever started on this machine, whichever process owns it,
     * live or not: the {@code snowcrash stop-all} command. Sessions of live processes fail their
     * next request afterwards (as if their backend died).
     *
     * @param context configuration and the event sink; never {@code null}
     * @return what was removed, and every reason something could not be looked at or removed
     */
    Removal removeAll(BackendContext context);

    /**
     * What a housekeeping call did.
     *
     * @param removed  names of what was removed (container names), in the order removed
     * @param problems one line per thing that could not be done ({@code "no Docker engine at
     *                 unix:///var/run/docker.sock (connection refused)"}); empty when all went well
     */
    record Removal(List<String> removed, List<String> problems) {
        public Removal {
            removed = List.copyOf(Objects.requireNonNull(removed, "removed"));
            problems = List.copyOf(Objects.requireNonNull(problems, "problems"));
        }

        /** Nothing to remove and nothing went wrong. */
        public static Removal nothing() {
            return new Removal(List.of(), List.of());
        }

        /** Nothing could be done, for this reason. */
        public static Removal failed(String problem) {
            return new Removal(List.of(), List.of(problem));
        }
    }
}
