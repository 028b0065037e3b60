package org.snowcrash.backend.remote;

import org.snowcrash.api.ChatFailure;
import org.snowcrash.openai.Exchange;

/**
 * How a failed request counts, for the endpoint's circuit breaker and for whether the request may
 * be sent to another endpoint. Decided from the typed failure, what the {@link Exchange} saw on
 * the wire, and whether the caller already received text. Pure; thread-safe.
 *
 * <ul>
 *   <li>Not the endpoint's doing (the caller's sink threw, the session closed): {@link #NEUTRAL}.</li>
 *   <li>A refusal of the request itself: a 4xx status other than 408/429, a prompt too long for
 *       the context: {@link #SOFT}. The endpoint answered; it stays healthy; the caller gets the error.</li>
 *   <li>Anything else is a hard failure and opens the breaker. It is sent elsewhere
 *       ({@link #HARD_RETRY_ELSEWHERE}) only when it provably did not run: the connection was never
 *       made, or the server refused it with a status before any text, and the caller has seen no
 *       text. Once text reached the caller, or once the server may have the request and went
 *       silent or dropped the connection, it is {@link #HARD_FINAL}: a generation must not run
 *       twice, and two answers must not be spliced into one.</li>
 * </ul>
 */
enum Verdict {
    /** Not the endpoint's doing: no verdict on its health. */
    NEUTRAL,
    /** The endpoint answered and refused this request: healthy, not retried. */
    SOFT,
    /** A hard failure of a request that did not run: the endpoint cools down; another may take it. */
    HARD_RETRY_ELSEWHERE,
    /** A hard failure of a request that may have run, or whose text was partly delivered: cools down; the caller gets the error. */
    HARD_FINAL;

    static Verdict of(ChatFailure failure, Exchange exchange, boolean textDelivered) {
        if (failure instanceof ChatFailure.SinkFailed || failure instanceof ChatFailure.Closed) {
            return NEUTRAL;
        }
        if (failure instanceof ChatFailure.ContextOverflow) {
            return SOFT;
        }
        boolean refusedWithStatus = exchange.status() >= 400;
        if (failure instanceof ChatFailure.ServerError e) {
            int code = refusedWithStatus ? exchange.status() : e.status();
            if (!ModelCheck.isHardStatus(code)) {
                return SOFT;
            }
        }
        boolean didNotRun = !exchange.reachedServer() || refusedWithStatus;
        return didNotRun && !textDelivered ? HARD_RETRY_ELSEWHERE : HARD_FINAL;
    }
}
