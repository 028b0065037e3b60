/**
 * The service-provider interface of Snowcrash: {@link org.snowcrash.api.LlmBackend} (what a
 * backend jar provides), {@link org.snowcrash.api.ModelSession} (a running model),
 * {@link org.snowcrash.api.ModelSpec} (what to run) and the value types they exchange.
 * This package depends on nothing but the JDK and Jackson's streaming parser ({@code jackson-core},
 * used only to check JSON Schema texts); no Jackson type appears in it.
 */
package org.snowcrash.api;
