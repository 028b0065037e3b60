package org.snowcrash.agent;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.SessionInfo;
import org.snowcrash.tools.AnswerCheck;

/**
 * What every request passes through on its way to a backend and back, whatever the front end: a
 * request the serving backend cannot honour is refused before anything is sent
 * ({@link ChatFailure.Unsupported}), and an answer that breaks what the request asked for (a call to
 * a tool not offered, arguments not valid against the tool's schema, text where a call was forced,
 * JSON not valid against its schema) is a {@link ChatFailure.InvalidAnswer}, never handed on. So an
 * invalid call never reaches an actuator, on any backend. Stateless.
 */
final class RequestGuard {

    private RequestGuard() {
    }

    /** Runs {@code call} when {@code capabilities} cover the request, and checks its answer. */
    static ChatResponse checked(ChatRequest request, Set<Capability> capabilities, ModelSession session,
                                Supplier<ChatResponse> call) {
        Set<Capability> missing = EnumSet.noneOf(Capability.class);
        missing.addAll(request.requiredCapabilities());
        missing.removeAll(capabilities);
        if (!missing.isEmpty()) {
            SessionInfo info = session.info();
            throw new ChatException(info.backendId(), "model " + info.modelId(), new ChatFailure.Unsupported(info.backendId(), missing));
        }
        ChatResponse response = call.get();
        AnswerCheck.problem(request, response).ifPresent(problem -> {
            SessionInfo info = session.info();
            throw new ChatException(info.backendId(), "model " + info.modelId(), problem);
        });
        return response;
    }
}
