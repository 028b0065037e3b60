package org.snowcrash.spring.boot;

import java.util.ArrayList;
import java.util.List;

import org.snowcrash.api.Capability;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The starter's own settings, under {@code snowcrash.spring}: which model the {@code ChatModel}
 * runs, when it starts, and the default chat options. Everything else under {@code snowcrash.}
 * is Snowcrash's own configuration ({@code snowcrash.backend.docker.image} is
 * {@code backend.docker.image}, {@code snowcrash.model.demo.ctx-size} is
 * {@code model.demo.ctx-size}, {@code snowcrash.models.dir} stays itself), read by
 * {@link EnvironmentSettings}.
 */
@ConfigurationProperties(prefix = SnowcrashSpringProperties.PREFIX)
public class SnowcrashSpringProperties {

    /** The prefix of these settings. */
    public static final String PREFIX = "snowcrash.spring";

    /** When the model starts. */
    public enum Startup {
        /** While the application context starts: the application is ready only when the model answers. */
        EAGER,
        /** On the first request. */
        LAZY
    }

    /** Whether the starter configures a Snowcrash ChatModel at all. */
    private boolean enabled = true;

    /** The catalog model the ChatModel runs (llama, phi-3, gemma, demo, or one defined with snowcrash.model.<id>.file); with the pool, the model of requests that name none. */
    private String model = "demo";

    /** Start the model while the context starts (eager) or on the first request (lazy). */
    private Startup startup = Startup.EAGER;

    /** Force this backend (docker, llamacpp, remote, ...) instead of trying them in priority order. */
    private String backend;

    /** Serve requests from Snowcrash's model pool: the options' model then picks any catalog model per request. */
    private boolean pool;

    /** What the requests will need of a backend (TOOLS, JSON_SCHEMA): backends that cannot honour it are skipped at start. */
    private List<Capability> needs = new ArrayList<>();

    /** Let ChatClient's entity() send the answer's JSON schema to the model, so the backend constrains the answer to it (Spring AI's native structured output). */
    private boolean nativeStructuredOutput = true;

    /** Default chat options of every request. */
    private final Options options = new Options();

    /** Default chat options; a request's own options win. */
    public static class Options {
        /** Most tokens to generate (default 512). */
        private Integer maxTokens;
        /** Sampling temperature, 0 to 10 (default: the backend's). */
        private Double temperature;
        /** Sampling seed (default: random). */
        private Long seed;
        /** Strings that end generation. */
        private List<String> stop = new ArrayList<>();

        public Integer getMaxTokens() { return maxTokens; }
        public void setMaxTokens(Integer maxTokens) { this.maxTokens = maxTokens; }
        public Double getTemperature() { return temperature; }
        public void setTemperature(Double temperature) { this.temperature = temperature; }
        public Long getSeed() { return seed; }
        public void setSeed(Long seed) { this.seed = seed; }
        public List<String> getStop() { return stop; }
        public void setStop(List<String> stop) { this.stop = stop; }
    }

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public String getModel() { return model; }
    public void setModel(String model) { this.model = model; }
    public Startup getStartup() { return startup; }
    public void setStartup(Startup startup) { this.startup = startup; }
    public String getBackend() { return backend; }
    public void setBackend(String backend) { this.backend = backend; }
    public boolean isPool() { return pool; }
    public void setPool(boolean pool) { this.pool = pool; }
    public boolean isNativeStructuredOutput() { return nativeStructuredOutput; }
    public void setNativeStructuredOutput(boolean nativeStructuredOutput) { this.nativeStructuredOutput = nativeStructuredOutput; }
    public Options getOptions() { return options; }
    public List<Capability> getNeeds() { return needs; }
    public void setNeeds(List<Capability> needs) { this.needs = needs; }
}
