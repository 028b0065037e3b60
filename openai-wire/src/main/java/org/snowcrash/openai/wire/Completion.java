package org.snowcrash.openai.wire;

/**
 * Identifies one answer in its whole form and in every chunk of it.
 *
 * @param id      {@code chatcmpl-...}
 * @param created seconds since the epoch
 * @param model   the model that answers
 */
public record Completion(String id, long created, String model) {
}
