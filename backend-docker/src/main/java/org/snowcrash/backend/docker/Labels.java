package org.snowcrash.backend.docker;

import java.net.InetAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The labels that mark a container as ours, set when it is created: which tool, which model,
 * which owner, and when.
 *
 * <p>The owner is a random id made once per process, not (host, pid): two processes in two pid
 * namespaces can both be pid 1, pids are reused, and {@code /proc} may hide other users'
 * processes, so a pid proves nothing about who owns a container. Whether an owner lives is
 * proved by the container itself: it ends when its owner's attach connection closes (see
 * {@link Lifeline}). Pid and host are still written, for people reading {@code docker ps}.
 */
final class Labels {

    static final String NAMESPACE = "org.snowcrash.";
    static final String TOOL = NAMESPACE + "tool";
    static final String TOOL_VALUE = "snowcrash";
    static final String MODEL = NAMESPACE + "model";
    static final String OWNER = NAMESPACE + "owner";
    static final String PID = NAMESPACE + "pid";
    static final String HOST = NAMESPACE + "host";
    static final String STARTED = NAMESPACE + "started";
    /** How the container's life is bound to its owner; {@link #ATTACHED} for every container made since owners became ids. */
    static final String LIFETIME = NAMESPACE + "lifetime";
    static final String ATTACHED = "attached";

    /** This process's owner id: random, so it is unique across hosts, pid namespaces and pid reuse. */
    static final String OWNER_ID = UUID.randomUUID().toString();

    private static final String HOST_NAME = lookUpHostName();

    private Labels() {
    }

    /** Our labels for a model's container, after the user's own extra labels. */
    static Map<String, String> forModel(String modelId, Map<String, String> extra) {
        Map<String, String> m = new LinkedHashMap<>(extra);
        m.put(TOOL, TOOL_VALUE);
        m.put(MODEL, modelId);
        m.put(OWNER, OWNER_ID);
        m.put(LIFETIME, ATTACHED);
        m.put(PID, String.valueOf(ProcessHandle.current().pid()));
        m.put(HOST, HOST_NAME);
        m.put(STARTED, Instant.now().toString());
        return m;
    }

    static boolean isOurs(Map<String, String> labels) {
        return labels != null && TOOL_VALUE.equals(labels.get(TOOL));
    }

    /** Whether this very process made the container. */
    static boolean isMine(Map<String, String> labels) {
        return isOurs(labels) && OWNER_ID.equals(labels.get(OWNER));
    }

    /** Who made it, for messages: pid, host and owner id as far as the labels say. */
    static String describeOwner(Map<String, String> labels) {
        return "snowcrash process " + labels.getOrDefault(PID, "?") + " on " + labels.getOrDefault(HOST, "?")
                + (labels.containsKey(OWNER) ? " (owner " + labels.get(OWNER) + ")" : "");
    }

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
