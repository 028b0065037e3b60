package org.snowcrash.cli;

import java.util.Arrays;

import picocli.CommandLine;

/**
 * Entry point of the {@code snowcrash} command. Always ends the process with {@link System#exit}:
 * java-llama.cpp leaves a non-daemon native thread behind, so returning from {@code main} would
 * not end it. Shutdown hooks (which stop our containers) still run.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        configureLogging(args);
        int code = run(args);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /** Runs the command and returns its exit status (no exit; for tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new SnowcrashCommand());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("snowcrash: " + Errors.describe(ex));
            return Errors.exitCode(ex);
        });
        return cl.execute(args);
    }

    /**
     * slf4j-simple reads its settings once, when the first logger is made, so they are set here
     * before anything logs: warnings and errors only, everything with {@code --verbose}.
     */
    private static void configureLogging(String[] args) {
        boolean verbose = Arrays.asList(args).contains("--verbose") || Arrays.asList(args).contains("-v");
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "error");
        setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        setIfAbsent("org.slf4j.simpleLogger.log.org.apache.hc", verbose ? "info" : "error");
        setIfAbsent("org.slf4j.simpleLogger.log.com.github.dockerjava", verbose ? "info" : "off");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
