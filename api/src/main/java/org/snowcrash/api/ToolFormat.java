package org.snowcrash.api;

/**
 * How tools reach a model and calls come back from it ({@code model.<id>.tool-format}).
 */
public enum ToolFormat {
    /**
     * The model's own chat template renders the tools and the server reads the calls
     * (llama-server with {@code --jinja}); backends without native tool support use
     * {@link #SNOWCRASH} instead. The default.
     */
    NATIVE,
    /**
     * Snowcrash writes the tools into the system message and reads calls back in its own compact
     * format (docs/tool-format.md), on every backend: for models trained on it (the demo) and
     * templates that know no tools.
     */
    SNOWCRASH
}
