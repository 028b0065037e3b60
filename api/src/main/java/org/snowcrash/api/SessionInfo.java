package org.snowcrash.api;

/**
 * Which backend serves which model, and where.
 *
 * @param backendId   the backend's id
 * @param modelId     the model's id
 * @param contextSize the context one request can use, in tokens: the whole context window, or a
 *                    slot's share of it when the model serves several requests at once
 * @param detail      backend-specific detail for people, e.g. {@code "container snowcrash-demo-server, http://127.0.0.1:8090"}
 */
public record SessionInfo(String backendId, String modelId, int contextSize, String detail) {
}
