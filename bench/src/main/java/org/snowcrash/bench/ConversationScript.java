package org.snowcrash.bench;

/**
 * The long conversation every side of the conversation rows is asked: the same questions every
 * run, a system prompt, 32-token answers at {@code -c 512}.
 */
final class ConversationScript {

    /** The context every conversation runs in, in tokens ({@code -c 512}, one slot). */
    static final int CONTEXT = 512;
    /** Tokens per answer; every answer is this long (see {@link ConversationModel}). */
    static final int ANSWER = 32;
    static final String SYSTEM = "You are the robot's voice. Answer in one short sentence about what you see.";

    private static final String[] ASKS = {
        "What do you see now?",
        "Is the door open or closed?",
        "Describe the table in front of you.",
        "Who just walked into the room?",
        "What colour is the cup on the left?",
        "Can you see the charging station from here?",
        "Tell me what changed since the last time I asked.",
        "Is anyone holding the red box?",
    };

    private ConversationScript() {
    }

    /** The question of turn {@code turn} (from 1); the turn number makes every one different. */
    static String question(int turn) {
        return "Turn " + turn + ". " + ASKS[turn % ASKS.length];
    }

    /** A question for viewer {@code viewer} in round {@code round}: new each round, so none is answered from a cache. */
    static String viewerQuestion(int round, int viewer) {
        return "Round " + round + ", viewer " + viewer + ": " + ASKS[Math.floorMod(round + viewer, ASKS.length)];
    }
}
