package org.snowcrash.backend.remote.rulesfixture;

/** Breaks "no backend depends on another backend". */
public final class RemoteUsingDocker {
    public Object docker() {
        return new org.snowcrash.backend.docker.DockerBackend();
    }
}
