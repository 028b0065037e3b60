package org.snowcrash.bench;

/**
 * One turn of a conversation as measured.
 *
 * @param ttftMs ms from the call to the first piece of the answer
 * @param prompt the prompt's tokens, as the server counted them
 * @param cached how many of them the server took from its slot's cache ({@code timings.cache_n})
 */
record Turn(double ttftMs, int prompt, int cached) {

    /** The prompt tokens the server processed ({@code timings.prompt_n}). */
    int processed() {
        return prompt - cached;
    }
}
