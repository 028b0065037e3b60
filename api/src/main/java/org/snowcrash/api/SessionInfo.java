package org.snowcrash.api;

/**
 * Which backend serves which model, and where.
 *
 * @param backendId   the backend's id
 * @param modelId     the model's id
 * @param contextSize the context window the model runs with, in tokens
 * @param detail      backend-specific detail for people, e.g. {@code "container snowcrash-demo-server, http://127.0.0.1:8090"}
 */
public record SessionInfo(String backendId, String modelId, int contextSize, String detail) {
}
