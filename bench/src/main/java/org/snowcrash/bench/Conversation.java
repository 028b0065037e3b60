package org.snowcrash.bench;

/** One side of a conversation row: asks the script's turns in order, one at a time. */
interface Conversation {

    /** Asks turn {@code turn} (from 1), remembers the answer as the side's memory does, and says what it cost. */
    Turn ask(int turn) throws Exception;
}
