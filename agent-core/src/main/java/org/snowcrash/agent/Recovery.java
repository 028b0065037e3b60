package org.snowcrash.agent;

import java.util.Locale;

import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;

/**
 * What a {@link RunningModel} does on the request after its backend died (connection refused or
 * cut, container gone, silence past the timeout). Set with {@link RunningModel.Builder#recovery}
 * ({@link Agent.Builder#recovery}) or the configuration key {@code snowcrash.agent.recovery}.
 */
public enum Recovery {
    /** Start the model again through the whole chain: the same backend first when it can (default). */
    RESTART,
    /** Fall over: start the model on the next backends, leaving out every backend that died under this model. */
    NEXT,
    /** Do nothing: every later request fails until the model is started anew. */
    NONE;

    /** The configured policy ({@code snowcrash.agent.recovery}, default {@code restart}). */
    static Recovery configured(Settings settings) {
        SettingsReader reader = settings.reader();
        String value = reader.oneOf("snowcrash.agent.recovery", "restart", "restart", "next", "none");
        reader.throwIfProblems();
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
