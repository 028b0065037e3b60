package org.snowcrash.spring.boot;

import java.util.List;
import java.util.stream.Collectors;

import org.snowcrash.agent.InvalidModelException;
import org.snowcrash.agent.NoBackendStartedException;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.models.UnknownModelException;
import org.snowcrash.registry.UnknownBackendException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Spring Boot's start-up failure report for a Snowcrash model that could not start: the
 * description names the Spring property at fault ({@code snowcrash.model.demo.ctx-size}, not
 * Snowcrash's internal {@code model.demo.ctx-size}) with its value and where it was written, and
 * the action says what to change. Registered in {@code META-INF/spring.factories}.
 */
public final class SnowcrashFailureAnalyzer extends AbstractFailureAnalyzer<SnowcrashStartException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, SnowcrashStartException failure) {
        String model = failure.modelId();
        Throwable cause = failure.getCause();
        if (cause instanceof ConfigurationException c) {
            List<ConfigurationException.Problem> problems = c.problems();
            String lines = problems.stream().map(p -> "    - " + EnvironmentSettings.springName(p.key())
                    + (p.value() == null ? "" : "=" + p.value()) + " (from " + p.source() + "): " + p.message())
                    .collect(Collectors.joining("\n"));
            String keys = problems.stream().map(p -> EnvironmentSettings.springName(p.key())).distinct()
                    .collect(Collectors.joining(", "));
            return new FailureAnalysis("Snowcrash's configuration is invalid (" + problems.size() + " problem"
                    + (problems.size() == 1 ? "" : "s") + "):\n" + lines,
                    "Fix " + keys + " in your application configuration (application.yml, a profile, or the environment).",
                    failure);
        }
        if (cause instanceof InvalidModelException e) {
            String key = "snowcrash.model." + model + ".file";
            return new FailureAnalysis("The model file of Snowcrash model '" + model + "', " + e.failure().file()
                    + ", is not usable: " + e.failure().detail() + ".\n    It is set by " + key
                    + " (relative to snowcrash.models.dir).",
                    "Put a GGUF file at " + e.failure().file() + ", or set " + key
                            + " (relative to snowcrash.models.dir) to one that exists.", failure);
        }
        if (cause instanceof UnknownBackendException e) {
            return new FailureAnalysis("snowcrash.spring.backend=" + e.id() + " names no backend: " + e.getMessage(),
                    "Set snowcrash.spring.backend to one of the backends on the classpath, or remove it to try them "
                            + "all in priority order.", failure);
        }
        if (cause instanceof UnknownModelException e) {
            return new FailureAnalysis("snowcrash.spring.model=" + model + ": " + e.getMessage(),
                    "Set snowcrash.spring.model to a catalog model (llama, phi-3, gemma, demo), or define '" + model
                            + "' with snowcrash.model." + model + ".file.", failure);
        }
        if (cause instanceof NoBackendStartedException e) {
            return new FailureAnalysis("No Snowcrash backend could start model '" + model + "': " + e.getMessage(),
                    "Fix the failing backend's settings (snowcrash.backend.<id>.*), make one available (a Docker "
                            + "engine for docker), or choose one with snowcrash.spring.backend.", failure);
        }
        return new FailureAnalysis(failure.getMessage(),
                "Check the snowcrash.* settings of your application (see docs/spring.md).", failure);
    }
}
