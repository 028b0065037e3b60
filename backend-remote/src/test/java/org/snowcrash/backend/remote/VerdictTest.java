package org.snowcrash.backend.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.openai.Exchange;

/** How each failure counts: for the breaker, and for whether the request may go elsewhere. */
class VerdictTest {

    /** An exchange as the client leaves it; its setters are the client's, reached here by reflection. */
    private static Exchange exchange(boolean reachedServer, int status) throws Exception {
        Exchange x = new Exchange();
        if (reachedServer) {
            Method m = Exchange.class.getDeclaredMethod("markReachedServer");
            m.setAccessible(true);
            m.invoke(x);
        }
        Method s = Exchange.class.getDeclaredMethod("status", int.class);
        s.setAccessible(true);
        s.invoke(x, status);
        return x;
    }

    private static final ChatFailure GONE = new ChatFailure.BackendGone("x");
    private static final ChatFailure TIMEOUT = new ChatFailure.Timeout(Duration.ofSeconds(2));

    @Test
    void aRequestThatNeverReachedTheServerGoesElsewhere() throws Exception {
        assertEquals(Verdict.HARD_RETRY_ELSEWHERE, Verdict.of(GONE, exchange(false, -1), false));
    }

    @Test
    void aStatusRefusalBeforeAnyTextGoesElsewhere() throws Exception {
        for (int code : new int[] {500, 502, 503, 504, 429, 408}) {
            assertEquals(Verdict.HARD_RETRY_ELSEWHERE, Verdict.of(new ChatFailure.ServerError(code, "", "busy"),
                    exchange(true, code), false), "HTTP " + code);
        }
    }

    @Test
    void aRequestTheServerMayHaveIsNeverSentTwice() throws Exception {
        assertEquals(Verdict.HARD_FINAL, Verdict.of(TIMEOUT, exchange(true, 200), false), "silent after the request");
        assertEquals(Verdict.HARD_FINAL, Verdict.of(GONE, exchange(true, -1), false), "dropped after the request");
    }

    @Test
    void onceTextWasDeliveredNothingIsRetried() throws Exception {
        assertEquals(Verdict.HARD_FINAL, Verdict.of(TIMEOUT, exchange(true, 200), true));
        assertEquals(Verdict.HARD_FINAL, Verdict.of(GONE, exchange(true, 200), true));
        assertEquals(Verdict.HARD_FINAL, Verdict.of(new ChatFailure.ServerError(500, "", "crash"), exchange(true, 200), true),
                "an error inside the stream after text");
    }

    @Test
    void aRefusalOfTheRequestItselfIsSoft() throws Exception {
        for (int code : new int[] {400, 401, 404, 413, 422}) {
            assertEquals(Verdict.SOFT, Verdict.of(new ChatFailure.ServerError(code, "", "no"), exchange(true, code), false),
                    "HTTP " + code);
        }
        assertEquals(Verdict.SOFT, Verdict.of(new ChatFailure.ContextOverflow(600, 512), exchange(true, 200), true));
        assertEquals(Verdict.SOFT, Verdict.of(new ChatFailure.ServerError(400, "invalid_request_error", "bad"),
                exchange(true, 200), false), "a 4xx error object inside a 200 stream");
    }

    @Test
    void whatIsNotTheEndpointsDoingIsNeutral() throws Exception {
        assertEquals(Verdict.NEUTRAL, Verdict.of(new ChatFailure.SinkFailed("viewer threw"), exchange(true, 200), true));
        assertEquals(Verdict.NEUTRAL, Verdict.of(new ChatFailure.Closed(), exchange(false, -1), false));
    }
}
