package org.snowcrash.cli.rulesfixture;

/** Breaks "cli never compiles against a backend". */
public final class CliUsingABackend {
    public Object docker() {
        return new org.snowcrash.backend.docker.DockerBackend();
    }
}
