/**
 * The service-provider interface of Snowcrash: {@link org.snowcrash.api.LlmBackend} (what a
 * backend jar provides), {@link org.snowcrash.api.ModelSession} (a running model),
 * {@link org.snowcrash.api.ModelSpec} (what to run) and the value types they exchange.
 * This package depends on nothing but the JDK.
 */
package org.snowcrash.api;
