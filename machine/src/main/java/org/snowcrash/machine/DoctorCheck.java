package org.snowcrash.machine;

import java.util.List;
import java.util.Map;

import org.snowcrash.api.Settings;

/**
 * A plugin's part of {@code snowcrash doctor}: what the machine means for it (the Docker backend
 * reports the image and GPU settings it derives and what its engine offers). Found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/org.snowcrash.machine.DoctorCheck}),
 * so a front end asks backends it does not compile against.
 *
 * <p>Implementations have a public no-argument constructor that does nothing. {@link #check}
 * may block on the network for the plugin's own bounded timeouts; it never throws (a failure is
 * a {@link Finding.Status#PROBLEM} finding). Called from one thread at a time.
 */
public interface DoctorCheck {

    /** The plugin's id, as in its backend ({@code docker}). */
    String id();

    /**
     * What this plugin makes of the machine under the given configuration.
     *
     * @param settings    the configuration
     * @param environment the process environment (for {@code DOCKER_HOST} and the like)
     * @param machine     what was detected
     */
    List<Finding> check(Settings settings, Map<String, String> environment, Machine machine);
}
