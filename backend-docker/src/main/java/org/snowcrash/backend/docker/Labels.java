package org.snowcrash.backend.docker;

import java.net.InetAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The labels that mark a container as ours, set when it is created: which tool, which model,
 * which process on which host, and when. They let {@code stop-all} and the next start find
 * containers left by a process that died, and keep us away from anybody else's container.
 */
final class Labels {

    static final String TOOL = "org.snowcrash.tool";
    static final String TOOL_VALUE = "snowcrash";
    static final String MODEL = "org.snowcrash.model";
    static final String PID = "org.snowcrash.pid";
    static final String HOST = "org.snowcrash.host";
    static final String STARTED = "org.snowcrash.started";

    private Labels() {
    }

    static Map<String, String> forModel(String modelId) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(TOOL, TOOL_VALUE);
        m.put(MODEL, modelId);
        m.put(PID, String.valueOf(ProcessHandle.current().pid()));
        m.put(HOST, hostName());
        m.put(STARTED, Instant.now().toString());
        return m;
    }

    static boolean isOurs(Map<String, String> labels) {
        return labels != null && TOOL_VALUE.equals(labels.get(TOOL));
    }

    /**
     * Whether the process that made the container is gone: it ran on this host and no process with
     * its pid lives. A container made on another host is never judged orphaned from here.
     */
    static boolean isOrphan(Map<String, String> labels) {
        if (!isOurs(labels) || !hostName().equals(labels.get(HOST))) {
            return false;
        }
        return pid(labels).map(p -> p != ProcessHandle.current().pid() && ProcessHandle.of(p).isEmpty()).orElse(true);
    }

    /** Whether this very process made the container. */
    static boolean isMine(Map<String, String> labels) {
        return isOurs(labels) && hostName().equals(labels.get(HOST))
                && pid(labels).map(p -> p == ProcessHandle.current().pid()).orElse(false);
    }

    static Optional<Long> pid(Map<String, String> labels) {
        try {
            return Optional.of(Long.parseLong(labels.getOrDefault(PID, "")));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static final String HOST_NAME = lookUpHostName();

    static String hostName() {
        return HOST_NAME;
    }

    private static String lookUpHostName() {
        // The kernel's name first: InetAddress.getLocalHost() may wait on DNS.
        try {
            String n = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
            if (!n.isEmpty()) {
                return n;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: fall through
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
